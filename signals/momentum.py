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
from signals.errors import BadData, InsufficientHistory, NoData, SignalError
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
    source: str = ""  # id of the price source the closes came from
    currency: str | None = "USD"  # of ``close`` (ISO 4217 or Yahoo's GBp); None: not reported
    exchange: str = "XNYS"  # ISO 10383 MIC of the exchange whose session ``as_of`` is


def compute_frame(adj: pd.DataFrame, *, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Compute every measure for every column of ``adj`` (sessions x tickers, oldest first).

    Each ticker's closes are indexed by position among its own non-missing values, so a ticker
    with a shorter history or a missing latest bar is aligned on its own last close. Returns one
    row per ticker with the measures, ``closes``, ``returns`` (log returns in the sigma window),
    ``last`` (position of the as-of row in ``adj``) and ``regime`` (id, or None when no signal).
    """
    measures = _measures(adj.to_numpy(dtype="float64", copy=True), thresholds or Thresholds())
    return pd.DataFrame(measures, index=adj.columns)


def _measures(values: np.ndarray, th: Thresholds) -> dict[str, np.ndarray]:
    """:func:`compute_frame` on a bare (sessions x tickers) array, which it may modify."""
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
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        log_returns = np.log(aligned[1:] / aligned[:-1])
        n_returns = (~np.isnan(log_returns)).sum(axis=0)
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

    return {
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
    }


#: Prices outside this range are implausible for a fund (and would overflow the measures).
MIN_PRICE = 1e-6
MAX_PRICE = 1e12


@dataclass(frozen=True)
class _Wide:
    """Sessions x tickers matrices; ``present`` marks a row the ticker's source sent."""

    dates: pd.DatetimeIndex
    adj: np.ndarray
    close: np.ndarray
    present: np.ndarray
    has_adj: np.ndarray  # per ticker: the source sends an Adj Close column


def _wide(frames: Mapping[str, pd.DataFrame]) -> _Wide:
    """Stack every frame into (sessions x tickers) matrices, one array copy per frame.

    Frames sharing an index (the usual batched download) are stacked as whole blocks; others
    are placed on the union of the indexes.
    """
    items = list(frames.values())
    first = items[0].index
    same = all(f.index is first or f.index.equals(first) for f in items[1:])
    union = first
    if not same:
        stamps = np.unique(
            np.concatenate([f.index.to_numpy(dtype="datetime64[ns]") for f in items])
        )
        union = pd.DatetimeIndex(stamps, name=first.name)
    n_rows, n_cols = len(union), len(items)
    adj = np.full((n_rows, n_cols), np.nan)
    close = np.full((n_rows, n_cols), np.nan)
    present = np.zeros((n_rows, n_cols), dtype=bool)
    has_adj = np.zeros(n_cols, dtype=bool)
    by_columns: dict[tuple[str, ...], list[int]] = {}
    names: dict[int, tuple[str, ...]] = {}  # frames of one download often share one Index
    for j, frame in enumerate(items):
        cols = frame.columns
        key = names.get(id(cols))
        if key is None:
            key = names[id(cols)] = tuple(cols.tolist())
        by_columns.setdefault(key, []).append(j)
    for columns, members in by_columns.items():
        c_pos = columns.index("Close")
        a_pos = columns.index("Adj Close") if "Adj Close" in columns else c_pos
        if same:
            # (columns x sessions) per frame is its memory layout: concatenated without a gather
            block = np.concatenate([items[j].to_numpy(dtype="float64").T for j in members])
            width = len(columns)
            close[:, members] = block[c_pos::width].T
            adj[:, members] = block[a_pos::width].T
            present[:, members] = True
        else:
            for j in members:
                rows = union.get_indexer(items[j].index)
                values = items[j].to_numpy(dtype="float64")
                close[rows, j] = values[:, c_pos]
                adj[rows, j] = values[:, a_pos]
                present[rows, j] = True
        has_adj[members] = "Adj Close" in columns
    return _Wide(pd.DatetimeIndex(union), adj, close, present, has_adj)


def _check(wide: _Wide) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the rows the measures use (the last 64 each ticker sent), all tickers at once.

    Returns the adjusted-close matrix to compute from (``Close`` for a ticker whose window has
    no ``Adj Close`` at all), whether each ticker's window is bad, and the row of its latest bad
    value (-1 when good). Bad: a close missing, not finite, not positive or implausible; an
    ``Adj Close`` missing on some rows of a window that has it on others.
    """
    order = np.argsort(wide.present, axis=0, kind="stable")[-_ROWS:]  # present rows last
    in_window = np.take_along_axis(wide.present, order, axis=0)
    close = np.take_along_axis(wide.close, order, axis=0)
    adj = np.take_along_axis(wide.adj, order, axis=0)

    def bad(values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            fine = np.isfinite(values) & (values >= MIN_PRICE) & (values <= MAX_PRICE)
        flags: np.ndarray = in_window & ~fine
        return flags

    adj_missing = in_window & np.isnan(adj)
    no_adj = ~wide.has_adj | (adj_missing.sum(axis=0) == in_window.sum(axis=0))
    use_adj = ~no_adj
    bad_rows = bad(close) | (bad(adj) & use_adj)
    flagged = bad_rows.any(axis=0)
    latest = bad_rows.shape[0] - 1 - np.argmax(bad_rows[::-1], axis=0)
    bad_row = np.where(flagged, np.take_along_axis(order, latest[None, :], axis=0)[0], -1)
    source_adj = np.where(use_adj[None, :], wide.adj, wide.close)
    return source_adj, flagged, bad_row


def _duplicates(ticker: str, frame: pd.DataFrame, source: str) -> pd.DataFrame | BadData:
    """A frame without repeated dates; BadData if a repeated date is among the rows used.

    :func:`~signals.bars.normalize_bars` already collapsed exact repeats, so a date that is
    still repeated has different values. Repeats older than the window are not used: dropped.
    """
    dates = frame.index
    used = dates.unique()[-_ROWS:]  # the window counts dates, not rows (a repeat is one date)
    repeated = dates[dates.duplicated() & dates.isin(used)]
    if len(repeated):
        day = repeated[-1].date()
        return BadData(ticker, "two different bars for one date", day=day, source=source)
    return frame.loc[~frame.index.duplicated(keep="last")]


def compute_signals(
    bars: Mapping[str, pd.DataFrame],
    *,
    as_of: date | Mapping[str, date] | None = None,
    thresholds: Thresholds | None = None,
    sources: Mapping[str, str] | None = None,
    currencies: Mapping[str, str | None] | None = None,
    exchanges: Mapping[str, str] | None = None,
) -> dict[str, Signal | SignalError]:
    """Signals for many tickers at once; a ticker without good enough data gets its error.

    ``as_of`` is one session for all, or each ticker's own (its exchange's); ``exchanges`` the
    MIC of each ticker (New York's when not given), carried by its signal.
    ``sources`` names the source of each ticker's bars (the signal and any BadData carry it);
    ``currencies`` the currency of each ticker's prices (a ticker missing from it: not reported;
    without the mapping every price is taken as US dollars, as callers with bars of their own).
    """
    named = sources or {}
    results: dict[str, Signal | SignalError] = {}
    frames: dict[str, pd.DataFrame] = {}
    one = as_of is None or isinstance(as_of, date)
    cutoff = pd.Timestamp(as_of) if as_of is not None and isinstance(as_of, date) else None
    for ticker, frame in bars.items():
        cut = frame
        if not one and as_of is not None and not isinstance(as_of, date):
            cutoff = pd.Timestamp(as_of[ticker])
        if cutoff is not None and len(frame) and frame.index[-1] > cutoff:
            cut = bars_until(frame, cutoff.date())
        if len(cut.index) == 0 or "Close" not in cut.columns:
            results[ticker] = NoData(ticker, "no bars")
            continue
        if not cut.index.is_unique:
            checked = _duplicates(ticker, cut, named.get(ticker, ""))
            if isinstance(checked, BadData):
                results[ticker] = checked
                continue
            cut = checked
        frames[ticker] = cut
    if not frames:
        return {t: results[t] for t in bars}
    wide = _wide(frames)
    adjusted, flagged, bad_row = _check(wide)
    columns = _measures(adjusted, thresholds or Thresholds())
    regimes = columns["regime"]
    # Python floats, converted once for all tickers
    r_1d, r_5d, r_1m, sigma, z_1d, z_5d, z_1m, fast, slow = (columns[m].tolist() for m in MEASURES)
    dates = wide.dates
    days = dates.date  # datetime.date objects, boxed once for all tickers
    lasts = columns["last"].tolist()
    counts = columns["closes"].tolist()
    shown = wide.close[np.maximum(columns["last"], 0), np.arange(len(frames))].tolist()
    regime_of = {r.value: r for r in Regime}
    mics = exchanges or {}
    for j, ticker in enumerate(frames):
        source = named.get(ticker, "")
        if flagged[j]:
            day = days[int(bad_row[j])]
            results[ticker] = BadData(ticker, "missing or impossible price", day=day, source=source)
            continue
        n_closes = counts[j]
        regime = regimes[j]
        if not isinstance(regime, str):  # None (pandas 3 would have made it NaN in a frame)
            results[ticker] = InsufficientHistory(
                ticker, f"{n_closes} closes, {int(columns['returns'][j])} returns", closes=n_closes
            )
            continue
        results[ticker] = Signal(
            ticker=ticker,
            as_of=days[lasts[j]],
            close=shown[j],
            regime=regime_of[regime],
            closes=n_closes,
            source=source,
            currency="USD" if currencies is None else currencies.get(ticker),
            exchange=mics.get(ticker, "XNYS"),
            r_1d=r_1d[j],
            r_5d=r_5d[j],
            r_1m=r_1m[j],
            sigma=sigma[j],
            z_1d=z_1d[j],
            z_5d=z_5d[j],
            z_1m=z_1m[j],
            fast=fast[j],
            slow=slow[j],
        )
    return {t: results[t] for t in bars}
