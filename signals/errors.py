"""Errors raised by the signal engine; each maps to a user-facing message key."""

from __future__ import annotations

from datetime import date


class SignalError(Exception):
    """Base class: something about a ticker's data prevents a signal."""

    key = "error.unexpected"

    def __init__(self, ticker: str, detail: str = "") -> None:
        super().__init__(f"{ticker}: {detail or self.key}")
        self.ticker = ticker
        self.detail = detail


class NoData(SignalError):
    """The source returned no bars for the ticker (unknown or delisted).

    ``unknown`` says the source knows no such ticker at all (so asking it for a longer history
    is pointless); otherwise it only had no bars in the range asked.
    """

    key = "error.no_data"

    def __init__(self, ticker: str, detail: str = "", *, unknown: bool = False) -> None:
        super().__init__(ticker, detail)
        self.unknown = unknown


class InsufficientHistory(SignalError):
    """Too few closes (or zero volatility) to compute the signal."""

    key = "error.not_enough_history"

    def __init__(self, ticker: str, detail: str = "", *, closes: int = 0) -> None:
        super().__init__(ticker, detail)
        self.closes = closes


#: Classes of cause of a source failure, each something a user can act on (how they are told
#: apart: ``signals.sources.http``).
NETWORK = "network"  # no network, or the source's name does not resolve
REFUSED = "refused"
TIMEOUT = "timeout"
BAD_ANSWER = "bad_answer"  # an answer that is not price data (HTML, garbage, HTTP 5xx)
TOO_LARGE = "too_large"  # more than signals.sources.http.MAX_BODY_BYTES
REJECTED = "rejected"  # the source refused our credentials
RATE_LIMITED = "rate_limited"
#: The message of a source failure whose source and class of cause are known; without them, the
#: class's own generic ``key``.
CAUSE_KEYS = {
    NETWORK: "error.source_network",
    REFUSED: "error.source_refused",
    TIMEOUT: "error.source_timeout",
    BAD_ANSWER: "error.source_bad_answer",
    TOO_LARGE: "error.source_too_large",
    REJECTED: "error.source_rejected",
}
#: Causes an offline try (the demo source) is the advice for.
OFFLINE_CAUSES = frozenset({NETWORK, REFUSED, TIMEOUT})


class SourceUnavailable(SignalError):
    """The price source failed (network, timeout, bad response).

    ``source`` is the source's name (``yfinance``, ``tiingo``) and ``cause`` one of
    :data:`CAUSE_KEYS`: with a source, the message names it and says what went wrong (or that it
    failed, when the cause is not known).
    """

    key = "error.source_unavailable"

    def __init__(self, ticker: str, detail: str = "", *, source: str = "", cause: str = "") -> None:
        super().__init__(ticker, detail)
        self.source = source
        self.cause = cause
        if source:
            self.key = CAUSE_KEYS.get(cause, "error.source_failed")


class RateLimited(SourceUnavailable):
    """The upstream source rate-limited us even after bounded retries."""

    key = "error.rate_limited"

    def __init__(
        self, ticker: str, detail: str = "", *, retry_after: float = 60.0, source: str = ""
    ) -> None:
        super().__init__(ticker, detail, source=source, cause=RATE_LIMITED if source else "")
        self.retry_after = retry_after
        if source:
            self.key = "error.source_rate_limited"


class SourceSlow(SourceUnavailable):
    """The price source did not answer within the user's deadline; the fetch goes on."""

    key = "error.source_slow"


class BadData(SignalError):
    """A close the signal needs is missing, not finite, not positive, or conflicting."""

    key = "error.bad_data"

    def __init__(self, ticker: str, detail: str = "", *, day: date, source: str) -> None:
        super().__init__(ticker, f"{source} {day}: {detail}")
        self.day = day
        self.source = source
