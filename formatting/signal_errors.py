"""The words' parameters of a signal error (its catalog key is ``error.key``)."""

from __future__ import annotations

import math

from formatting.i18n import Term
from formatting.labels import source_key
from signals.errors import (
    BadData,
    InsufficientHistory,
    RateLimited,
    SignalError,
    SourceUnavailable,
)


def error_params(error: SignalError) -> dict[str, object]:
    """The catalog parameters of ``error``'s message."""
    params: dict[str, object] = {"ticker": error.ticker}
    if isinstance(error, InsufficientHistory):
        params["closes"] = error.closes
    if isinstance(error, RateLimited):
        params["minutes"] = max(1, math.ceil(error.retry_after / 60))
    if isinstance(error, SourceUnavailable) and error.source:
        params["source"] = Term(source_key(error.source))
    if isinstance(error, BadData):
        params["date"] = error.day
        params["source"] = Term(source_key(error.source))
    return params
