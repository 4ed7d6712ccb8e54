"""What a digest is made of, from a session's computed signals: rows, issues, source, changes.

The one place both the ``digest`` command (preview) and the bot's digest runs build a digest
from; :func:`formatting.digest.build_digest` orders the rows and finds the regime changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from formatting.digest import Digest, DigestIssue, build_digest
from formatting.signal_errors import error_params
from signals.errors import SignalError
from signals.momentum import Signal
from signals.regimes import Regime


class RegimeHistory(Protocol):
    """Where the regimes of earlier sessions are recorded (``bot.storage``)."""

    async def previous_regime(self, ticker: str, before_session: date) -> str | None:
        """The regime id of ``ticker`` on the latest recorded session before that one."""
        ...


def results_source(results: Mapping[str, Signal | SignalError], default: str) -> str:
    """The source ids the signals came from, in first-seen order joined by ``+`` (a chain may
    serve a watchlist from several sources); ``default`` when there is no signal."""
    seen = dict.fromkeys(r.source for r in results.values() if isinstance(r, Signal) and r.source)
    return "+".join(seen) or default


def digest_from_results(
    session: date,
    tickers: Sequence[str],
    results: Mapping[str, Signal | SignalError],
    previous: Mapping[str, Regime | None],
    *,
    source: str,
    expected: Mapping[str, date] | None = None,
) -> Digest:
    """The digest of a watchlist from already computed signals (errors become issue lines);
    ``expected``: each ticker's own session (its exchange's) where it is not ``session``."""
    signals = [r for t in tickers if isinstance(r := results[t], Signal)]
    issues = []
    for ticker in tickers:
        result = results[ticker]
        if isinstance(result, SignalError):
            issues.append(DigestIssue(ticker=ticker, key=result.key, params=error_params(result)))
    return build_digest(
        session, signals, previous=previous, issues=issues, source=source, expected=expected
    )


async def previous_regimes(
    store: RegimeHistory, signals: Sequence[Signal]
) -> dict[str, Regime | None]:
    """Each signal's regime on the latest recorded session before its own."""
    out: dict[str, Regime | None] = {}
    for signal in signals:
        value = await store.previous_regime(signal.ticker, signal.as_of)
        out[signal.ticker] = _regime(value)
    return out


def _regime(value: str | None) -> Regime | None:
    try:
        return Regime(value) if value is not None else None
    except ValueError:  # an id from a newer or older version: no call-out
        return None
