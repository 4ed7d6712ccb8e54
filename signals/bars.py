"""Daily bars: the frame shape every price source returns, and its normalisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

from signals.errors import SignalError

#: Columns of a bars frame, in Yahoo's export order.
BAR_COLUMNS: tuple[str, ...] = ("Open", "High", "Low", "Close", "Adj Close", "Volume")


@dataclass(frozen=True)
class FetchResult:
    """Bars per ticker (oldest first) and an error for every ticker that has none."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, SignalError] = field(default_factory=dict)

    def merged(self, other: FetchResult) -> FetchResult:
        """Combine two results; bars in ``other`` win over errors in ``self``."""
        bars = {**self.bars, **other.bars}
        errors = {t: e for t, e in {**self.errors, **other.errors}.items() if t not in bars}
        return FetchResult(bars=bars, errors=errors)


class PriceSource(Protocol):
    """Anything that returns daily bars for many tickers in one call (blocking; run in a thread)."""

    name: str

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Bars for ``tickers`` with session dates in ``[start, end]`` (both inclusive)."""
        ...


def normalize_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as canonical bars: tz-naive date index, sorted, floats, no empty rows.

    Missing ``Adj Close`` is left absent (callers fall back to ``Close``); rows without a ``Close``
    are dropped, because a bar without a close is not a bar.
    """
    out = frame.copy()
    index = pd.DatetimeIndex(pd.to_datetime(out.index))
    if index.tz is not None:
        index = index.tz_localize(None)
    out.index = index.normalize()
    out.index.name = "Date"
    columns = [c for c in BAR_COLUMNS if c in out.columns]
    out = out[columns].apply(pd.to_numeric, errors="coerce").astype("float64")
    if "Close" not in out.columns:
        empty: pd.DataFrame = out.iloc[0:0]
        return empty
    out = out.loc[out["Close"].notna()]
    deduplicated: pd.DataFrame = out.loc[~out.index.duplicated(keep="last")].sort_index()
    return deduplicated


def bars_until(bars: pd.DataFrame, session: date) -> pd.DataFrame:
    """Drop bars after ``session`` (a live partial bar, or history beyond ``--as-of``)."""
    return bars.loc[bars.index <= pd.Timestamp(session)]
