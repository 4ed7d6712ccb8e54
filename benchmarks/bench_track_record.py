"""Track record for 500 tickers x 20 years (5,040 sessions): vectorised vs a per-session loop."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd

from benchmarks.timing import measure
from signals.track_record import HISTORY_SESSIONS, track_record, track_records

TICKERS = 500
SESSIONS = HISTORY_SESSIONS
LOOP_TICKERS = 2  # the plain loop is timed on a few tickers and scaled per ticker


def make_bars(tickers: int = TICKERS, sessions: int = SESSIONS) -> dict[str, pd.DataFrame]:
    """Seeded random-walk bars on business days, 20 years each."""
    rng = np.random.default_rng(15)
    index = pd.bdate_range("2006-01-02", periods=sessions, name="Date")
    out = {}
    for i in range(tickers):
        close = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, sessions)))
        out[f"T{i:03d}"] = pd.DataFrame({"Close": close, "Adj Close": close}, index=index)
    return out


def per_session_loop(frame: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """The obvious implementation: recompute the signal at every session, then group."""
    c = frame["Adj Close"].tolist()
    t = len(c) - 1
    moves: dict[str, list[float]] = {}
    for s in range(21, len(c)):
        logs = [math.log(c[i] / c[i - 1]) for i in range(max(1, s - 62), s + 1)]
        sigma = statistics.stdev(logs)
        fast = (math.log(c[s] / c[s - 1]) + math.log(c[s] / c[s - 5]) / math.sqrt(5)) / 2 / sigma
        slow = math.log(c[s] / c[s - 21]) / (sigma * math.sqrt(21))
        key = f"{(fast > -1) + (fast >= 1)}{(slow > -1) + (slow >= 1)}"
        if s + 5 <= t:
            moves.setdefault(key, []).append(c[s + 5] / c[s] - 1)
    return {k: (len(v), statistics.median(v)) for k, v in moves.items()}


def run() -> list[str]:
    """Run the benchmark and return report lines."""
    bars = make_bars()
    first = next(iter(bars.values()))
    # sanity: the loop and the engine count the same sessions before we time them
    loop = per_session_loop(first)
    engine = track_record("T000", first)
    assert sum(n for n, _ in loop.values()) == engine.baseline.n
    vectorised = measure(lambda: track_records(bars), runs=5, warmup=1)
    one = measure(lambda: track_record("T000", first), runs=30)
    few = dict(list(bars.items())[:LOOP_TICKERS])
    baseline = measure(lambda: [per_session_loop(f) for f in few.values()], runs=3, warmup=0)
    per_ticker_loop_ms = baseline.median_ms / LOOP_TICKERS
    return [
        f"track record for {TICKERS} tickers x {SESSIONS} sessions (20 years)",
        f"  track_records (vectorised, all {TICKERS}): {vectorised}",
        f"  track_record for one ticker: {one}",
        f"  per-session plain loop, {LOOP_TICKERS} tickers: {baseline}",
        f"  speed-up per ticker vs loop: {per_ticker_loop_ms / one.median_ms:.0f}x; "
        f"loop for all {TICKERS} extrapolated: {per_ticker_loop_ms * TICKERS / 1000:.0f} s",
    ]
