"""The track record of SIGNALS.md: what happened after each regime in a ticker's own past.

Every session's regime is computed at once (vectorised over sessions) from the same adjusted
closes and thresholds as the card; forward returns look only forward from a session whose regime
used closes up to that session, so nothing is looked ahead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from signals.bars import bars_until
from signals.errors import NoData, SignalError
from signals.momentum import MIN_CLOSES, MIN_RETURNS, SIGMA_WINDOW, Thresholds
from signals.regimes import REGIME_TABLE, Regime

HISTORY_SESSIONS = 5040  # 20 x 252: nothing older is read
MIN_OCCURRENCES = 20  # fewer past occurrences than this are shown as "too few"
HORIZONS = (5, 21)

#: Regime code (fast index * 3 + slow index) -> regime; -1 means no signal.
REGIMES_BY_CODE: tuple[Regime, ...] = tuple(r for row in REGIME_TABLE for r in row)
NO_REGIME = -1


@dataclass(frozen=True, kw_only=True)
class Stats:
    """Forward-return statistics over a set of sessions (unrounded fractions; None when n is 0)."""

    n: int
    up5: float | None
    med5: float | None
    n21: int
    up21: float | None
    med21: float | None


@dataclass(frozen=True, kw_only=True)
class TrackRecord:
    """One ticker's track record as of ``as_of``.

    ``starts_after`` is the date of the last bad close when the history was cut there (the view
    says so); ``moved`` is False when the closes never changed (no sigma, no regime);
    ``f5_current`` / ``f5_all`` are the 5-session moves after the current regime and after every
    session with a regime (the chart).
    """

    ticker: str
    as_of: date
    sessions: int  # closes in the history used
    since: date | None  # first session with a regime
    current: Regime | None  # R(t)
    previous: Regime | None  # R(t-1)
    regimes: Mapping[Regime, Stats]
    baseline: Stats
    starts_after: date | None = None
    moved: bool = True
    f5_current: tuple[float, ...] = ()
    f5_all: tuple[float, ...] = ()
    exchange: str = "XNYS"  # ISO 10383 MIC of the exchange whose sessions the record counts

    @property
    def current_stats(self) -> Stats | None:
        """The statistics of the current regime, or None when there is no current regime."""
        return self.regimes[self.current] if self.current is not None else None


def regime_codes(closes: np.ndarray, *, thresholds: Thresholds | None = None) -> np.ndarray:
    """The regime code of every session of one ticker's good closes (oldest first), at once.

    ``closes`` must be finite and positive. Code ``k`` is ``REGIMES_BY_CODE[k]``; ``-1`` where
    no signal can be computed from the closes up to that session (the first comes at the 22nd).
    """
    th = thresholds or Thresholds()
    c = np.asarray(closes, dtype="float64")
    n = len(c)
    codes = np.full(n, NO_REGIME, dtype=np.int8)
    if n < MIN_CLOSES:
        return codes
    log_returns = np.log(c[1:] / c[:-1])  # log_returns[i] ends at close i + 1
    sigma = np.full(n, np.nan)
    # Sessions with fewer than a full window of returns use all of them (at least MIN_RETURNS).
    for s in range(MIN_RETURNS, min(SIGMA_WINDOW, n)):
        sigma[s] = np.std(log_returns[:s], ddof=1)
    if n > SIGMA_WINDOW:
        windows = sliding_window_view(log_returns, SIGMA_WINDOW)  # windows[k] ends at close k+63
        sigma[SIGMA_WINDOW:] = windows.std(axis=1, ddof=1)
    sigma[sigma <= 0] = np.nan
    s_idx = np.arange(MIN_CLOSES - 1, n)
    c_t = c[s_idx]
    r_1d = c_t / c[s_idx - 1] - 1
    r_5d = c_t / c[s_idx - 5] - 1
    r_1m = c_t / c[s_idx - 21] - 1
    sig = sigma[s_idx]
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        z_1d = np.log1p(r_1d) / sig
        z_5d = np.log1p(r_5d) / (sig * math.sqrt(5))
        z_1m = np.log1p(r_1m) / (sig * math.sqrt(21))
    fast = (z_1d + z_5d) / 2
    slow = z_1m
    ok = ~np.isnan(fast) & ~np.isnan(slow)
    fast_idx = np.where(fast <= th.down, 0, np.where(fast >= th.up, 2, 1))
    slow_idx = np.where(slow <= th.down, 0, np.where(slow >= th.up, 2, 1))
    codes[s_idx] = np.where(ok, fast_idx * 3 + slow_idx, NO_REGIME)
    return codes


def regime_frame(adj: pd.DataFrame, *, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Regime id (or None) of every session for every column of ``adj`` (sessions x tickers).

    Each column's regimes are computed over its own good closes (missing values skipped, so a
    shorter history simply starts later); a session without a close has no regime.
    """
    out = pd.DataFrame(index=adj.index, columns=adj.columns, dtype=object)
    labels = np.array([r.value for r in REGIMES_BY_CODE] + [None], dtype=object)
    for column in adj.columns:
        values = adj[column].to_numpy(dtype="float64")
        good = np.isfinite(values) & (values > 0)
        column_out = np.full(len(values), None, dtype=object)
        codes = regime_codes(values[good], thresholds=thresholds)
        column_out[good] = labels[codes]  # code -1 picks the trailing None
        out[column] = column_out
    return out


def _stats(f5: np.ndarray, f21: np.ndarray) -> Stats:
    five = f5[~np.isnan(f5)]
    month = f21[~np.isnan(f21)]
    return Stats(
        n=len(five),
        up5=float(np.mean(five > 0)) if len(five) else None,
        med5=float(np.median(five)) if len(five) else None,
        n21=len(month),
        up21=float(np.mean(month > 0)) if len(month) else None,
        med21=float(np.median(month)) if len(month) else None,
    )


def _forward(c: np.ndarray, k: int) -> np.ndarray:
    out = np.full(len(c), np.nan)
    if len(c) > k:
        out[:-k] = c[k:] / c[:-k] - 1
    return out


def _adjusted(frame: pd.DataFrame) -> pd.Series:
    """Adjusted closes as the card uses them: ``Adj Close`` where the source has one."""
    if "Adj Close" in frame.columns and not frame["Adj Close"].isna().all():
        return frame["Adj Close"].astype("float64")
    return frame["Close"].astype("float64")


def _last_bad(adj: pd.Series) -> int:
    """Position of the last bad close (missing, not finite, non-positive, conflicting date)."""
    values = adj.to_numpy(dtype="float64")
    bad = ~np.isfinite(values) | (values <= 0)
    index = adj.index
    if index.has_duplicates:
        frame = pd.DataFrame({"v": values}, index=index)
        conflicting = frame.groupby(level=0)["v"].transform("nunique") > 1
        bad |= conflicting.to_numpy()
    positions = np.flatnonzero(bad)
    return int(positions[-1]) if len(positions) else -1


def track_record(
    ticker: str,
    bars: pd.DataFrame,
    *,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
    history: int = HISTORY_SESSIONS,
    exchange: str = "XNYS",
) -> TrackRecord:
    """The track record of ``ticker`` from its bars (oldest first) up to ``as_of``.

    Reads the last ``history`` bars ending at the as-of session; a bad close cuts the history to
    the closes after it. Raises :class:`NoData` when there is no bar up to ``as_of``.
    """
    cut = bars_until(bars, as_of) if as_of is not None else bars
    if cut.empty:
        raise NoData(ticker, "no bars")
    adj = _adjusted(cut).iloc[-history:]
    t_date = adj.index[-1].date()
    last_bad = _last_bad(adj)
    starts_after = adj.index[last_bad].date() if last_bad >= 0 else None
    good = adj.iloc[last_bad + 1 :]
    if good.index.has_duplicates:  # identical duplicates only (conflicting ones were bad)
        good = good.loc[~good.index.duplicated(keep="last")]
    c = good.to_numpy(dtype="float64")
    codes = regime_codes(c, thresholds=thresholds)
    f5, f21 = _forward(c, 5), _forward(c, 21)
    has = codes != NO_REGIME
    regimes = {
        regime: _stats(f5[codes == k], f21[codes == k]) for k, regime in enumerate(REGIMES_BY_CODE)
    }
    current = REGIMES_BY_CODE[codes[-1]] if len(c) and codes[-1] != NO_REGIME else None
    previous = REGIMES_BY_CODE[codes[-2]] if len(c) > 1 and codes[-2] != NO_REGIME else None
    first = int(np.argmax(has)) if has.any() else -1
    all5 = f5[has]
    cur5 = f5[codes == codes[-1]] if current is not None else np.empty(0)
    return TrackRecord(
        ticker=ticker,
        as_of=t_date,
        sessions=len(c),
        since=good.index[first].date() if first >= 0 else None,
        current=current,
        previous=previous,
        regimes=regimes,
        baseline=_stats(all5, f21[has]),
        starts_after=starts_after,
        moved=bool(len(c) > 1 and np.any(c[1:] != c[:-1])),
        f5_current=tuple(cur5[~np.isnan(cur5)].tolist()),
        f5_all=tuple(all5[~np.isnan(all5)].tolist()),
        exchange=exchange,
    )


def track_records(
    bars: Mapping[str, pd.DataFrame],
    *,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
    exchanges: Mapping[str, str] | None = None,
) -> dict[str, TrackRecord | SignalError]:
    """Track records for many tickers; a ticker without bars gets its error instead.

    ``exchanges`` names each ticker's exchange (MIC; New York's when not given): its bars are
    that exchange's sessions, so the record counts them."""
    out: dict[str, TrackRecord | SignalError] = {}
    mics = exchanges or {}
    for ticker, frame in bars.items():
        try:
            out[ticker] = track_record(
                ticker,
                frame,
                as_of=as_of,
                thresholds=thresholds,
                exchange=mics.get(ticker, "XNYS"),
            )
        except SignalError as exc:
            out[ticker] = exc
    return out
