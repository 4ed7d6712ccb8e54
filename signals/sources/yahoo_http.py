"""The HTTP session yfinance is given: bodies read with a cap, and every failure's cause kept.

yfinance 1.7 reads each answer whole (``response.json()``, ``response.text`` in ``data.py``) from
the session it is handed (``yf.download(session=...)``, ``yf.Ticker(session=...)``; by default a
``curl_cffi.requests.Session(impersonate="chrome")``, ``yfinance/_http.py``). This session is that
same curl_cffi session, but it asks curl for a stream and reads at most
:data:`signals.sources.http.MAX_BODY_BYTES` of it (``Content-Length`` checked first): a huge
answer is refused, never held in memory.

yfinance also words most failures of a chart request as "possibly delisted; no timezone found",
whatever happened. So the session remembers the cause of the last failed request per symbol
(no network, refused, timed out, too much data) and logs it at WARNING, redacted; the source asks
for it when it turns yfinance's answer into an error.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from curl_cffi import requests as curl_requests

from signals.sources.http import cause_of, check_length, describe, read_capped, redacted

log = logging.getLogger(__name__)

SOURCE = "Yahoo Finance"
#: The symbol a Yahoo URL asks about (chart, quoteSummary, quote?symbols=).
_SYMBOL = re.compile(r"/(?:chart|quoteSummary)/([^/?#]+)|[?&]symbols=([^&#]+)")


def _symbol(url: str) -> str:
    match = _SYMBOL.search(url)
    if match is None:
        return ""
    return (match.group(1) or match.group(2) or "").split(",")[0].upper()


class YahooSession(curl_requests.Session):  # type: ignore[type-arg]
    """yfinance's own kind of session (curl_cffi, Chrome's fingerprint) with capped reads."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("impersonate", "chrome")
        super().__init__(**kwargs)
        self._causes: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        """The request, its body read with the cap; a failure is remembered, then raised."""
        if kwargs.get("stream"):  # the caller reads the stream itself
            return super().request(method, url, *args, **kwargs)
        kwargs["stream"] = True
        try:
            response = super().request(method, url, *args, **kwargs)
            try:
                check_length(SOURCE, response.headers.get("Content-Length"))
                response.content = read_capped(SOURCE, response.iter_content())
            finally:
                response.close()  # stops curl at once when the body was cut
        except Exception as exc:
            self._failed(str(method), str(url), exc)
            raise
        return response

    def _failed(self, method: str, url: str, exc: BaseException) -> None:
        cause = cause_of(exc)
        where = redacted(url.split("?", 1)[0])
        log.warning("yfinance %s %s failed: %s: %s", method, where, cause, describe(exc))
        symbol = _symbol(url)
        with self._lock:
            self._causes[symbol] = cause  # "" holds the last failure that named no symbol

    def forget(self, symbols: list[str]) -> None:
        """Drop what was remembered for ``symbols`` (before a new fetch of them)."""
        with self._lock:
            for symbol in symbols:
                self._causes.pop(symbol.upper(), None)
            self._causes.pop("", None)

    def cause(self, symbol: str) -> str:
        """The cause of the last failed request about ``symbol`` (``""``: about no symbol, such
        as the cookie and crumb yfinance asks first), or ``""`` when none failed."""
        with self._lock:
            return self._causes.get(symbol.upper(), "")
