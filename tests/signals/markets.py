"""CSV fixtures whose bars follow each exchange's real sessions (exchange_calendars data)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from signals.calendar import calendar_for
from signals.exchanges import exchange, exchange_for


def market_bars(
    ticker: str, *, end: date, sessions: int = 120, seed: int = 0, mic: str | None = None
) -> pd.DataFrame:
    """Bars of ``ticker`` on its exchange's sessions (its suffix's, or ``mic``), ending at
    ``end`` (the last session on or before it), a seeded random walk in its currency."""
    calendar = calendar_for(mic or exchange_for(ticker))
    days = calendar.sessions_in_range(end - timedelta(days=sessions * 2 + 60), end)[-sessions:]
    assert len(days) == sessions
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0.0, 0.012, sessions)))
    return pd.DataFrame(
        {
            "Open": close * 0.999,
            "High": close * 1.01,
            "Low": close * 0.99,
            "Close": close,
            "Adj Close": close,
            "Volume": np.full(sessions, 1_000_000.0),
        },
        index=pd.DatetimeIndex([pd.Timestamp(d) for d in days], name="Date"),
    )


def write_market_csv(
    directory: Path,
    ticker: str,
    bars: pd.DataFrame,
    *,
    currency: str | None = None,
    exchange_column: str | list[str] | None = None,
) -> Path:
    """Write ``bars`` as a Yahoo-format CSV with a ``Currency`` column (the exchange's currency
    unless given) and, when asked, an ``Exchange`` column."""
    out = bars.copy()
    out.index = pd.DatetimeIndex(out.index).strftime("%Y-%m-%d")
    out["Currency"] = currency or exchange(exchange_for(ticker)).currency
    if exchange_column is not None:
        out["Exchange"] = exchange_column
    path = directory / f"{ticker}.csv"
    out.to_csv(path, index_label="Date", float_format="%.6f")
    return path
