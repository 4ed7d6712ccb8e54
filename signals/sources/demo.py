"""Synthetic prices for trying the bot offline: deterministic per ticker, never market data.

Every card made from this source says so in its source line ("synthetic demo prices"). Each
ticker gets its own seeded random walk with a drift and a late move chosen from its name, so a
watchlist shows a spread of regimes rather than nine copies of one.

The demo knows the funds of the catalog (``signals/funds.py``) and the extra tickers it is given
(``SIGNALBOT_DEMO_TICKERS``); any other word gets the "unknown symbol" answer a real source
gives, so the typo path can be tried offline too.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from signals.bars import FetchResult, with_currency
from signals.calendar import MarketCalendar
from signals.errors import NoData, SignalError
from signals.funds import FUNDS


class DemoSource:
    """Bars for the catalog's funds (and ``extra`` tickers) on real XNYS sessions, each from a
    seed derived from the ticker; any other ticker is unknown, as it is to a real source."""

    name = "demo"
    source_id = "demo"

    def __init__(
        self, calendar: MarketCalendar | None = None, *, extra: Iterable[str] = ()
    ) -> None:
        self.calendar = calendar or MarketCalendar()
        #: The tickers this source invents prices for (upper case).
        self.known = frozenset(FUNDS) | {t.strip().upper() for t in extra if t.strip()}

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
        """Synthetic bars for every known ticker over the sessions in ``[start, end]``; the
        others get :class:`NoData` with ``unknown`` set, like a real source's unknown symbol."""
        errors: dict[str, SignalError] = {
            t: NoData(t, "the demo source has no prices for it", unknown=True)
            for t in tickers
            if t.upper() not in self.known
        }
        sessions = self.calendar.sessions_in_range(start, end)
        if not sessions:
            return FetchResult(errors=errors)
        bars = {
            t: with_currency(self._bars(t, sessions), "USD") for t in tickers if t not in errors
        }
        return FetchResult(bars=bars, errors=errors)
