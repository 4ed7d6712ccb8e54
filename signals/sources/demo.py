"""Synthetic prices for trying the bot offline: deterministic per ticker, never market data.

Every card made from this source says so in its source line ("synthetic demo prices"). Each
ticker gets its own seeded random walk with a drift and a late move chosen from its name, so a
watchlist shows a spread of regimes rather than nine copies of one.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from signals.bars import FetchResult, with_currency
from signals.calendar import MarketCalendar


class DemoSource:
    """Bars for any ticker on real XNYS sessions, from a seed derived from the ticker."""

    name = "demo"
    source_id = "demo"

    def __init__(self, calendar: MarketCalendar | None = None) -> None:
        self.calendar = calendar or MarketCalendar()

    def _bars(self, ticker: str, sessions: list[date]) -> pd.DataFrame:
        seed = zlib.crc32(ticker.upper().encode())
        rng = np.random.default_rng(seed)
        # Paths start 400 sessions back so a ticker's history is stable whatever the range.
        all_days = self.calendar.sessions_in_range(date(2024, 1, 1), sessions[-1])
        n = len(all_days)
        vol = 0.006 + (seed % 17) / 1000  # 0.6% .. 2.2% daily
        drift = ((seed >> 5) % 7 - 3) * vol / 80
        returns = rng.normal(drift, vol, n)
        shock = ((seed >> 9) % 5 - 2) * vol * 1.5  # a late move: down, flat or up
        returns[-3:] += shock
        close = (20 + seed % 480) * np.exp(np.cumsum(returns))
        frame = pd.DataFrame(
            {
                "Open": close * (1 - vol / 4),
                "High": close * (1 + vol / 2),
                "Low": close * (1 - vol / 2),
                "Close": close,
                "Adj Close": close,
                "Volume": rng.integers(1_000_000, 50_000_000, n).astype("float64"),
            },
            index=pd.DatetimeIndex([pd.Timestamp(d) for d in all_days], name="Date"),
        )
        return frame.loc[frame.index >= pd.Timestamp(sessions[0])]

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Synthetic bars for every ticker over the sessions in ``[start, end]``."""
        sessions = self.calendar.sessions_in_range(start, end)
        if not sessions:
            return FetchResult()
        return FetchResult(bars={t: with_currency(self._bars(t, sessions), "USD") for t in tickers})
