"""Daily bars: the frame shape every price source returns, and its normalisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from signals.errors import SignalError

#: Columns of a bars frame, in Yahoo's export order.
BAR_COLUMNS: tuple[str, ...] = ("Open", "High", "Low", "Close", "Adj Close", "Volume")


@dataclass(frozen=True)
class FetchResult:
    """Bars per ticker (oldest first) and an error for every ticker that has none."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, SignalError] = field(default_factory=dict)
    #: The id of the source each ticker's bars came from (set by the price service).
    sources: dict[str, str] = field(default_factory=dict)
    #: The currency each ticker's prices are in (ISO 4217, or Yahoo's ``GBp`` for pence), None
    #: when the source did not say (set by the price service from the frames' metadata).
    currencies: dict[str, str | None] = field(default_factory=dict)
    #: The exchange (ISO 10383 MIC) each ticker trades on (set by the price service).
    exchanges: dict[str, str] = field(default_factory=dict)

    def merged(self, other: FetchResult) -> FetchResult:
        """Combine two results; bars in ``other`` win over errors in ``self``."""
        bars = {**self.bars, **other.bars}
        errors = {t: e for t, e in {**self.errors, **other.errors}.items() if t not in bars}
        sources = {t: s for t, s in {**self.sources, **other.sources}.items() if t in bars}
        currencies = {t: c for t, c in {**self.currencies, **other.currencies}.items() if t in bars}
        exchanges = {t: m for t, m in {**self.exchanges, **other.exchanges}.items() if t in bars}
        return FetchResult(
            bars=bars, errors=errors, sources=sources, currencies=currencies, exchanges=exchanges
        )


class PriceSource(Protocol):
    """Anything that returns daily bars for many tickers in one call (blocking; run in a thread).

    ``name`` is the kind of source (``yfinance``, ``csv``, ``demo``: what the card calls it);
    ``source_id`` names this very source for the bar cache (``csv:/resolved/dir``), so bars from
    one source are never served as another's.
    """

    name: str
    source_id: str

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Bars for ``tickers`` with session dates in ``[start, end]`` (both inclusive)."""
        ...


@runtime_checkable
class AsyncPriceSource(Protocol):
    """A source with its own non-blocking client (aiohttp): awaited, never run in a thread."""

    name: str
    source_id: str

    async def fetch_async(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Bars for ``tickers`` with session dates in ``[start, end]`` (both inclusive)."""
        ...


#: Key of ``DataFrame.attrs`` holding the currency a source reported for a frame's prices; it
#: travels with the frame through the caches (memory and ``price_bars``).
CURRENCY_ATTR = "currency"


def with_currency(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """``frame`` marked as priced in ``currency`` (None: the source did not say)."""
    if currency is None:
        frame.attrs.pop(CURRENCY_ATTR, None)
    else:
        frame.attrs[CURRENCY_ATTR] = currency
    return frame


def currency_of(frame: pd.DataFrame) -> str | None:
    """The currency a source reported for ``frame`` (see :func:`with_currency`), or None."""
    value = frame.attrs.get(CURRENCY_ATTR)
    return value if isinstance(value, str) and value else None


def normalize_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as canonical bars: tz-naive date index, sorted, floats.

    Rows with no value at all are dropped (Yahoo's filler for a day the ticker did not trade, or
    a CSV ``null`` row); any other row is kept as it is, a non-numeric value becoming NaN, so the
    signal engine can say it is bad data instead of silently shifting the window. Exact duplicate
    rows are collapsed; duplicate dates with different values are both kept (bad data too).
    Missing ``Adj Close`` is left absent (callers fall back to ``Close``).
    """
    out = frame.copy()
    index = pd.DatetimeIndex(pd.to_datetime(out.index))
    if index.tz is not None:
        index = index.tz_localize(None)
    out.index = index.normalize()
    out.index.name = "Date"
    columns = [c for c in BAR_COLUMNS if c in out.columns]
    if "Close" not in columns:
        empty: pd.DataFrame = out[columns].iloc[0:0].astype("float64")
        return empty
    raw = out[columns]
    present = np.asarray(raw.notna().to_numpy().any(axis=1), dtype=bool)
    out = raw.loc[present].apply(pd.to_numeric, errors="coerce").astype("float64")
    out = out.sort_index(kind="stable")
    keyed = out.reset_index()
    exact_repeat = keyed.duplicated(keep="first").to_numpy()
    normalized: pd.DataFrame = out.loc[~exact_repeat]
    return normalized


def bars_until(bars: pd.DataFrame, session: date) -> pd.DataFrame:
    """Drop bars after ``session`` (a live partial bar, or history beyond ``--as-of``)."""
    return bars.loc[bars.index <= pd.Timestamp(session)]
