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


class SourceUnavailable(SignalError):
    """The price source failed (network, timeout, bad response)."""

    key = "error.source_unavailable"


class RateLimited(SourceUnavailable):
    """The upstream source rate-limited us even after bounded retries."""

    key = "error.rate_limited"

    def __init__(self, ticker: str, detail: str = "", *, retry_after: float = 60.0) -> None:
        super().__init__(ticker, detail)
        self.retry_after = retry_after


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
