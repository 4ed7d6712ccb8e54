"""The momentum signal of SIGNALS.md, vectorised over any number of tickers."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from signals.bars import bars_until
from signals.errors import InsufficientHistory, NoData, SignalError
from signals.regimes import REGIME_TABLE, Regime

SIGMA_WINDOW = 63  # daily log returns in the volatility window
MIN_RETURNS = 20  # fewest log returns that make a sigma
MIN_CLOSES = 22  # C[t-21] must exist
_ROWS = SIGMA_WINDOW + 1  # closes needed for a full sigma window

_REGIME_IDS = np.array([[r.value for r in row] for row in REGIME_TABLE], dtype=object)

MEASURES: tuple[str, ...] = (
    "r_1d",
    "r_5d",
    "r_1m",
    "sigma",
    "z_1d",
    "z_5d",
    "z_1m",
    "fast",
    "slow",
)


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """A horizon is down at or below ``down`` and up at or above ``up`` (z-score units)."""

    down: float = -1.0
    up: float = 1.0

    def __post_init__(self) -> None:
        if not self.down < self.up:
            raise ValueError("the down threshold must be below the up threshold")


@dataclass(frozen=True, kw_only=True)
class Signal:
    """One ticker's signal for one session; every field is reproducible from daily closes."""

    ticker: str
    as_of: date
    close: float  # unadjusted close of the as-of session
    r_1d: float
    r_5d: float
    r_1m: float
    sigma: float
    z_1d: float
    z_5d: float
    z_1m: float
    fast: float
    slow: float
    regime: Regime
    closes: int  # closes available up to as_of


def compute_frame(adj: pd.DataFrame, *, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Compute every measure for every column of ``adj`` (sessions x tickers, oldest first).

    Each ticker's closes are indexed by position among its own non-missing values, so a ticker
    with a shorter history or a missing latest bar is aligned on its own last close. Returns one
    row per ticker with the measures, ``closes``, ``returns`` (log returns in the sigma window),
    ``last`` (position of the as-of row in ``adj``) and ``regime`` (id, or None when no signal).
    """
    th = thresholds or Thresholds()
    values = adj.to_numpy(dtype="float64", copy=True)
    values[values <= 0] = np.nan  # a non-positive price is bad data, never a close
    n_sessions, n_tickers = values.shape
    valid = ~np.isnan(values)
    closes = valid.sum(axis=0)
    last = np.where(closes > 0, n_sessions - 1 - np.argmax(valid[::-1], axis=0), -1)

    # Right-align each column's valid closes (stable sort puts missing values first).
    order = np.argsort(valid, axis=0, kind="stable")
    aligned = np.take_along_axis(values, order, axis=0)[-_ROWS:]
    if aligned.shape[0] < _ROWS:
        pad = np.full((_ROWS - aligned.shape[0], n_tickers), np.nan)
        aligned = np.vstack([pad, aligned])

    c_t = aligned[-1]
    r_1d = c_t / aligned[-2] - 1
    r_5d = c_t / aligned[-6] - 1
    r_1m = c_t / aligned[-22] - 1
    log_returns = np.log(aligned[1:] / aligned[:-1])
    n_returns = (~np.isnan(log_returns)).sum(axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        sigma = np.nanstd(log_returns, axis=0, ddof=1)
        sigma = np.where(n_returns >= MIN_RETURNS, sigma, np.nan)
        sigma = np.where(sigma > 0, sigma, np.nan)
        z_1d = np.log1p(r_1d) / sigma
        z_5d = np.log1p(r_5d) / (sigma * math.sqrt(5))
        z_1m = np.log1p(r_1m) / (sigma * math.sqrt(21))
    fast = (z_1d + z_5d) / 2
    slow = z_1m

    ok = (closes >= MIN_CLOSES) & ~np.isnan(fast) & ~np.isnan(slow)
    fast_idx = np.where(fast <= th.down, 0, np.where(fast >= th.up, 2, 1))
    slow_idx = np.where(slow <= th.down, 0, np.where(slow >= th.up, 2, 1))
    regime = _REGIME_IDS[fast_idx, slow_idx].copy()
    regime[~ok] = None

    return pd.DataFrame(
        {
            "r_1d": r_1d,
            "r_5d": r_5d,
            "r_1m": r_1m,
            "sigma": sigma,
            "z_1d": z_1d,
            "z_5d": z_5d,
            "z_1m": z_1m,
            "fast": fast,
            "slow": slow,
            "closes": closes,
            "returns": n_returns,
            "last": last,
            "regime": regime,
        },
        index=adj.columns,
    )


def _wide(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Session index plus (sessions x tickers) matrices of adjusted and unadjusted closes."""
    indexes = [f.index for f in frames.values()]
    first = indexes[0]
    same = all(ix is first or ix.equals(first) for ix in indexes[1:])
    union = first
    if not same:
        for ix in indexes[1:]:
            union = union.union(ix)
    adj = np.full((len(union), len(frames)), np.nan)
    close = np.full((len(union), len(frames)), np.nan)
    for j, frame in enumerate(frames.values()):
        rows = slice(None) if same else union.get_indexer(frame.index)
        closes = frame["Close"].to_numpy(dtype="float64")
        adjusted = (
            frame["Adj Close"].to_numpy(dtype="float64") if "Adj Close" in frame.columns else None
        )
        if adjusted is None or np.isnan(adjusted).all():
            adjusted = closes
        adj[rows, j] = adjusted
        close[rows, j] = closes
    return pd.DatetimeIndex(union), adj, close


def compute_signals(
    bars: Mapping[str, pd.DataFrame],
    *,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, Signal | SignalError]:
    """Signals for many tickers at once; a ticker without enough data gets its error instead."""
    results: dict[str, Signal | SignalError] = {}
    frames: dict[str, pd.DataFrame] = {}
    cutoff = pd.Timestamp(as_of) if as_of is not None else None
    for ticker, frame in bars.items():
        cut = frame
        if cutoff is not None and len(frame) and frame.index[-1] > cutoff:
            cut = bars_until(frame, cutoff.date())
        if cut.empty:
            results[ticker] = NoData(ticker, "no bars")
        else:
            frames[ticker] = cut
    if not frames:
        return results
    dates, adj, close = _wide(frames)
    table = compute_frame(
        pd.DataFrame(adj, index=dates, columns=list(frames)), thresholds=thresholds
    )
    columns = {name: table[name].to_numpy() for name in (*MEASURES, "closes", "returns", "last")}
    regimes = table["regime"].to_numpy()
    for j, ticker in enumerate(frames):
        n_closes = int(columns["closes"][j])
        if regimes[j] is None:
            results[ticker] = InsufficientHistory(
                ticker, f"{n_closes} closes, {int(columns['returns'][j])} returns", closes=n_closes
            )
            continue
        last = int(columns["last"][j])
        results[ticker] = Signal(
            ticker=ticker,
            as_of=dates[last].date(),
            close=float(close[last, j]),
            regime=Regime(regimes[j]),
            closes=n_closes,
            **{m: float(columns[m][j]) for m in MEASURES},
        )
    return {t: results[t] for t in bars}
