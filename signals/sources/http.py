"""What every price source's HTTP code shares: a cap on the body, the cause of a failure, redaction.

**The cap.** A source's answer is read at most :data:`MAX_BODY_BYTES`: a ``Content-Length`` over
it is refused before a byte of the body is read, and a body without one (chunked, or a server
that lies) is cut as soon as it passes the cap. Twenty years of daily bars are 5,040 rows:
Tiingo's JSON rows (thirteen fields each, adjusted prices at full float precision) make about
1.7 MB and Yahoo's chart answer (one number per field and day) about 0.6 MB (measured with the
fakes' encoders, tests/signals/fake_*.py): 16 MiB holds Tiingo's nine times over and Yahoo's
twenty-seven times, and four answers at once stay within 64 MiB of body however much is sent.

**The cause.** A failure is put in one of a few classes a user can act on (``NETWORK`` for no
network or a name that does not resolve, ``REFUSED``, ``TIMEOUT``, ``BAD_ANSWER``, ``TOO_LARGE``:
the constants of ``signals.errors``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Iterable

from signals.errors import BAD_ANSWER, NETWORK, REFUSED, TIMEOUT, TOO_LARGE

#: Largest body read from any price source, in bytes (see the module docstring for the figure).
MAX_BODY_BYTES = 16 * 1024 * 1024


#: Words of the exceptions curl (curl_cffi), requests/urllib3, aiohttp and the OS use, per cause.
#: Checked in this order: "Failed to connect ... Connection refused" is a refusal, not a timeout.
_CAUSE_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (TOO_LARGE, ("answered too much data",)),
    (
        NETWORK,
        (
            "Could not resolve",  # curl error 6
            "Name or service not known",
            "Temporary failure in name resolution",
            "nodename nor servname",
            "NameResolutionError",
            "Failed to resolve",
            "getaddrinfo failed",
            "No address associated",
            "Network is unreachable",
            "No route to host",
            "DNS",
        ),
    ),
    (
        REFUSED,
        (
            "Connection refused",
            "ConnectionRefusedError",
            "Errno 111",
            "Couldn't connect",  # curl error 7, older wording
            "Could not connect to server",  # curl error 7
        ),
    ),
    (TIMEOUT, ("timed out", "Timeout", "TimeoutError", "Timed out")),
)


def cause_of(exc: BaseException) -> str:
    """The class of cause of a failed request (:data:`BAD_ANSWER` when nothing says otherwise)."""
    if isinstance(exc, TooMuchData):
        return TOO_LARGE
    if isinstance(exc, TimeoutError):
        return TIMEOUT
    if isinstance(exc, ConnectionRefusedError):
        return REFUSED
    return cause_in(_chain_text(exc)) or BAD_ANSWER


def cause_in(text: str) -> str:
    """The cause a failure's text names, or ``""``."""
    for cause, markers in _CAUSE_MARKERS:
        if any(marker in text for marker in markers):
            return cause
    return ""


def _chain_text(exc: BaseException) -> str:
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)


_TOKEN_IN_URL = re.compile(r"(?i)((?:token|apikey|api_key|key|crumb)=)[^&\s'\"]+")
_TOKEN_HEADER = re.compile(r"(?i)(Token\s+)[A-Za-z0-9._\-]+")
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def redacted(text: str) -> str:
    """``text`` with credentials in URLs (``?token=…``, ``user:password@``) and ``Token …``
    headers blanked."""
    text = _PASSWORD_IN_URL.sub(r"\1***@", _TOKEN_IN_URL.sub(r"\1***", text))
    return _TOKEN_HEADER.sub(r"\1***", text)


def describe(exc: BaseException, limit: int = 300) -> str:
    """One redacted line naming ``exc`` and what caused it, for a WARNING log line."""
    text = " ".join(redacted(_chain_text(exc)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TooMuchData(Exception):
    """A source answered more than :data:`MAX_BODY_BYTES`; nothing of it is kept."""

    def __init__(self, source: str, size: int | None, limit: int) -> None:
        told = f"{size} bytes" if size is not None else f"more than {limit} bytes"
        super().__init__(f"{source} answered too much data ({told}; the cap is {limit} bytes)")
        self.source = source
        self.limit = limit


def check_length(source: str, header: str | None, limit: int = MAX_BODY_BYTES) -> None:
    """Refuse an answer whose ``Content-Length`` is over ``limit`` before reading any of it."""
    if header is not None and header.strip().isdigit() and int(header) > limit:
        raise TooMuchData(source, int(header), limit)


def read_capped(source: str, chunks: Iterable[bytes], limit: int = MAX_BODY_BYTES) -> bytes:
    """The body from ``chunks``, stopped (:class:`TooMuchData`) as soon as it passes ``limit``."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise TooMuchData(source, None, limit)
    return bytes(body)


async def aread_capped(
    source: str, chunks: AsyncIterable[bytes], limit: int = MAX_BODY_BYTES
) -> bytes:
    """:func:`read_capped` for an asynchronous stream (aiohttp's ``response.content``)."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise TooMuchData(source, None, limit)
    return bytes(body)
