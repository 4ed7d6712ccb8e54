"""Market data for tests and benchmarks: daily bars on real XNYS sessions (the SIGNALS.md
worked example, scaled copies of it) and Yahoo-style CSV price directories that the CSV price
source reads, or that a fake upstream (:mod:`tests.fakes.tiingo`, :mod:`tests.fakes.yahoo`)
serves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from signals.calendar import MarketCalendar

WORKED_SESSION = date(2026, 6, 8)
WORKED_CLOSES = {0: 281.65, 1: 292.02, 5: 288.37, 21: 282.27}  # sessions back from t -> close


def sessions_ending(end: date, count: int) -> list[date]:
    """The last ``count`` XNYS sessions up to and including ``end``."""
    cal = MarketCalendar()
    days = cal.sessions_in_range(end - timedelta(days=count * 2 + 30), end)
    assert len(days) >= count
    return days[-count:]


def bars_from_closes(
    closes: Sequence[float], *, end: date, adj_factor: Sequence[float] | None = None
) -> pd.DataFrame:
    """Bars whose Close is ``closes`` on the sessions ending at ``end``; Adj Close = Close x factor."""
    days = sessions_ending(end, len(closes))
    close = np.asarray(closes, dtype="float64")
    factor = np.ones_like(close) if adj_factor is None else np.asarray(adj_factor, dtype="float64")
    frame = pd.DataFrame(
        {
            "Open": close * 0.999,
            "High": close * 1.01,
            "Low": close * 0.99,
            "Close": close,
            "Adj Close": close * factor,
            "Volume": np.full(len(close), 1_000_000.0),
        },
        index=pd.DatetimeIndex([pd.Timestamp(d) for d in days], name="Date"),
    )
    return frame


def worked_example_bars(sessions: int = 90) -> pd.DataFrame:
    """IWM-like bars ending 2026-06-08 with the closes of the SIGNALS.md worked example.

    The older part is a seeded random walk; a dividend adjustment (Adj Close = 0.99 x Close) sits
    on rows older than 40 sessions, so returns over the last month equal Close ratios while
    sigma's window crosses the adjustment.
    """
    rng = np.random.default_rng(20260608)
    # Walk backwards from C[t-21] so the history joins the fixed closes without a jump.
    older = 282.27 * np.exp(-np.cumsum(rng.normal(0.0, 0.008, sessions - 22)))[::-1]
    month = np.linspace(282.27, 288.37, 17) * np.exp(rng.normal(0.0, 0.004, 17))
    month[0], month[-1] = 282.27, 288.37
    closes = [*older, *month, 289.5, 290.8, 291.4, 292.02, 281.65]
    assert len(closes) == sessions
    factor = [0.99 if i < sessions - 40 else 1.0 for i in range(sessions)]
    return bars_from_closes(closes, end=WORKED_SESSION, adj_factor=factor)


def write_csv(directory: Path, ticker: str, bars: pd.DataFrame) -> Path:
    """Write ``bars`` as Yahoo's CSV export (``Date,Open,High,Low,Close,Adj Close,Volume``)."""
    path = directory / f"{ticker}.csv"
    out = bars.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.to_csv(path, index_label="Date", float_format="%.6f")
    return path


def last_session_now() -> date:
    """The last completed XNYS session at the real current time (for subprocess tests)."""
    from datetime import UTC, datetime

    return MarketCalendar().last_completed_session(datetime.now(UTC))


#: A subscription without a time of its own is due this long after its session's close.
DUE_AFTER_CLOSE_MINUTES = 30


def last_due_session() -> date:
    """The last XNYS session whose default digest is due at the real current time: its close
    plus :data:`DUE_AFTER_CLOSE_MINUTES` has passed. Between a close and its due time (21:00 to
    21:30 UTC on a winter weekday) this is the session before :func:`last_session_now`, which is
    the one a running bot's scheduler posts then; tests that let the scheduler choose expect it."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC) - timedelta(minutes=DUE_AFTER_CLOSE_MINUTES)
    return MarketCalendar().last_completed_session(now)


def write_price_dir(directory: Path, tickers: dict[str, float], *, end: date | None = None) -> Path:
    """CSV files for ``tickers`` (name -> scale of the worked-example series) ending at ``end``.

    Each series has the worked example's shape, so its regime is ``defensive_impulse`` whatever
    the scale; ``end`` defaults to the last completed session now, so the data is never stale.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for ticker, frame in scaled_bars(tickers, end=end).items():
        write_csv(directory, ticker, frame)
    return directory


def scaled_bars(tickers: dict[str, float], *, end: date | None = None) -> dict[str, pd.DataFrame]:
    """The bars :func:`write_price_dir` writes, by ticker (for a fake upstream to serve)."""
    session = end or last_session_now()
    base = worked_example_bars()
    out = {}
    for ticker, scale in tickers.items():
        bars = bars_from_closes(list(base["Close"] * scale), end=session, adj_factor=None)
        bars["Adj Close"] = base["Adj Close"].to_numpy() * scale
        out[ticker] = bars
    return out
