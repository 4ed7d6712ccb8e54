"""The track record against SIGNALS.md: a plain loop oracle, known answers, bad data, hypothesis."""

from __future__ import annotations

import math
import statistics
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from signals.errors import NoData
from signals.momentum import Signal, Thresholds, compute_signals
from signals.regimes import REGIME_TABLE, Regime
from signals.track_record import (
    HISTORY_SESSIONS,
    Stats,
    regime_frame,
    track_record,
    track_records,
)


def frame_of(closes: list[float] | np.ndarray, start: str = "2006-01-02") -> pd.DataFrame:
    """Bars with these closes (Close = Adj Close) on consecutive business days."""
    index = pd.bdate_range(start, periods=len(closes), name="Date")
    values = np.asarray(closes, dtype="float64")
    return pd.DataFrame({"Close": values, "Adj Close": values}, index=index)


def loop_scores(c: list[float], s: int) -> tuple[float, float] | None:
    """(fast, slow) at session s from closes c[0..s] only, by the letter of SIGNALS.md."""
    if s < 21:
        return None
    logs = [math.log(c[i] / c[i - 1]) for i in range(1, s + 1)][-63:]
    if len(logs) < 20:
        return None
    sigma = statistics.stdev(logs)
    if sigma == 0:
        return None
    z_1d = math.log(c[s] / c[s - 1]) / sigma
    z_5d = math.log(c[s] / c[s - 5]) / (sigma * math.sqrt(5))
    z_1m = math.log(c[s] / c[s - 21]) / (sigma * math.sqrt(21))
    return (z_1d + z_5d) / 2, z_1m


def loop_regime(c: list[float], s: int, th: Thresholds) -> Regime | None:
    """R(s) from closes c[0..s] only, by the letter of SIGNALS.md, one session at a time."""
    scores = loop_scores(c, s)
    if scores is None:
        return None

    def side(z: float) -> int:
        return 0 if z <= th.down else 2 if z >= th.up else 1

    fast, slow = scores
    return REGIME_TABLE[side(fast)][side(slow)]


def on_a_threshold(c: list[float], th: Thresholds, tolerance: float = 1e-9) -> bool:
    """Some session's score is a threshold up to floating-point noise.

    There the side is decided by rounding: the bot (``log1p`` of a ratio, NumPy's std) and this
    loop (``log`` of the ratio, ``statistics.stdev``) may round to either side of ``z >= up``
    for the same closes (e.g. one jump of x followed by flat sessions gives z_1m = 1 exactly in
    exact arithmetic). Such paths compare nothing about SIGNALS.md, only rounding.
    """
    for s in range(len(c)):
        scores = loop_scores(c, s)
        if scores is not None and any(
            abs(z - edge) <= tolerance * max(1.0, abs(edge))
            for z in scores
            for edge in (th.down, th.up)
        ):
            return True
    return False


def loop_stats(rows: list[tuple[float | None, float | None]]) -> Stats:
    """n/up/median over (f5, f21) pairs with a plain loop."""
    five = [f for f, _ in rows if f is not None]
    month = [f for _, f in rows if f is not None]
    return Stats(
        n=len(five),
        up5=sum(1 for f in five if f > 0) / len(five) if five else None,
        med5=statistics.median(five) if five else None,
        n21=len(month),
        up21=sum(1 for f in month if f > 0) / len(month) if month else None,
        med21=statistics.median(month) if month else None,
    )


def loop_track_record(c: list[float], th: Thresholds) -> dict[str, Stats]:
    """Every regime's statistics and the baseline, one session at a time."""
    t = len(c) - 1
    by_regime: dict[str, list[tuple[float | None, float | None]]] = {r.value: [] for r in Regime}
    everything: list[tuple[float | None, float | None]] = []
    for s in range(len(c)):
        regime = loop_regime(c, s, th)
        if regime is None:
            continue
        f5 = c[s + 5] / c[s] - 1 if s + 5 <= t else None
        f21 = c[s + 21] / c[s] - 1 if s + 21 <= t else None
        by_regime[regime.value].append((f5, f21))
        everything.append((f5, f21))
    out = {name: loop_stats(rows) for name, rows in by_regime.items()}
    out["baseline"] = loop_stats(everything)
    return out


def assert_same(got: Stats, want: Stats) -> None:
    """Counts exactly, fractions to floating-point noise."""
    assert (got.n, got.n21) == (want.n, want.n21)
    for name in ("up5", "med5", "up21", "med21"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), name


def known_series(cycles: int = 110) -> np.ndarray:
    """Calm, a 5-session rise, one sharp drop (a defensive impulse), then a 10-session rise.

    The drop leaves the month about flat, so the drop day is a defensive impulse and nothing
    else is; every one is followed by five sessions of +0.8% (log), so f5 = e^0.04 - 1 exactly.
    """
    cycle = [0.001, -0.001] * 15 + [0.008] * 5 + [-0.04] + [0.008] * 10
    return 100 * np.exp(np.cumsum([0.0, *(cycle * cycles)]))


def random_walk(n: int, seed: int, sd: float = 0.012) -> np.ndarray:
    """Seeded geometric random walk."""
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.normal(0.0003, sd, n)))


def test_known_answer_every_defensive_impulse_rises():
    """Every defensive impulse is followed by a 5-session rise: up5 = 100%, med5 = e^0.04 - 1."""
    record = track_record("KNOWN", frame_of(known_series()))
    stats = record.regimes[Regime.DEFENSIVE_IMPULSE]
    assert stats.n == 109  # one per cycle; the first cycle's sigma window is too short
    assert stats.up5 == 1.0
    assert stats.med5 == pytest.approx(math.exp(0.04) - 1, rel=1e-12)
    assert stats.up21 == 1.0
    assert record.regimes[Regime.RISK_OFF_REGIME].n == 0


def test_matches_loop_on_random_walks():
    """Nine regimes and the baseline equal a straightforward loop on seeded random walks."""
    th = Thresholds()
    for seed in (1, 2, 3):
        closes = random_walk(700, seed)
        record = track_record("RW", frame_of(closes))
        want = loop_track_record(list(closes), th)
        for regime in Regime:
            assert_same(record.regimes[regime], want[regime.value])
        assert_same(record.baseline, want["baseline"])


def test_configured_thresholds_are_used():
    """Thresholds of +-0.5 change the regimes exactly as the loop with the same thresholds."""
    th = Thresholds(down=-0.5, up=0.5)
    closes = random_walk(400, 9)
    record = track_record("RW", frame_of(closes), thresholds=th)
    want = loop_track_record(list(closes), th)
    for regime in Regime:
        assert_same(record.regimes[regime], want[regime.value])


def test_current_regime_equals_the_card():
    """R(t) of the track record is the card's regime for the same bars."""
    for seed in range(6):
        bars = frame_of(random_walk(300, seed))
        card = compute_signals({"X": bars})["X"]
        assert isinstance(card, Signal)
        assert track_record("X", bars).current is card.regime


def test_no_look_ahead():
    """R(s) and every f5 ending at or before a cut are the same whatever comes after it."""
    closes = random_walk(600, 5)
    changed = closes.copy()
    changed[400:] *= np.exp(np.cumsum(np.full(200, -0.02)))
    regimes = regime_frame(frame_of(closes)[["Adj Close"]])
    other = regime_frame(frame_of(changed)[["Adj Close"]])
    assert regimes.iloc[:400].equals(other.iloc[:400])
    early = track_record("X", frame_of(closes), as_of=frame_of(closes).index[390].date())
    again = track_record("X", frame_of(changed), as_of=frame_of(changed).index[390].date())
    assert early == again


def test_since_first_regime_at_22nd_close_and_forward_windows():
    """The first regime is at the 22nd close; the last 5 sessions have no f5, the last 21 no f21."""
    closes = random_walk(100, 11)
    record = track_record("X", frame_of(closes))
    assert record.since == frame_of(closes).index[21].date()
    regimes = regime_frame(frame_of(closes)[["Adj Close"]])["Adj Close"]
    assert regimes.iloc[:21].isna().all() and regimes.iloc[21:].notna().all()
    assert record.baseline.n == 100 - 21 - 5
    assert record.baseline.n21 == 100 - 21 - 21


def test_history_is_capped_at_5040_sessions():
    """Nothing older than the last 5,040 sessions is read."""
    closes = random_walk(HISTORY_SESSIONS + 300, 4)
    full = track_record("X", frame_of(closes))
    tail = track_record("X", frame_of(closes[-HISTORY_SESSIONS:], start="2007-03-01"))
    assert full.sessions == HISTORY_SESSIONS
    assert full.regimes == tail.regimes and full.baseline == tail.baseline


@pytest.mark.parametrize("bad", [float("nan"), 0.0, -3.0, float("inf")])
def test_history_starts_after_the_last_bad_close(bad):
    """A bad close cuts the history: only the closes after it count, and the cut is reported."""
    closes = random_walk(500, 6)
    broken = closes.copy()
    broken[100] = bad
    broken[200] = bad
    bars = frame_of(broken)
    record = track_record("X", bars)
    clean = track_record("X", frame_of(closes[201:], start="2007-01-01"))
    assert record.starts_after == bars.index[200].date()
    assert record.sessions == 299
    assert record.regimes == clean.regimes
    assert record.since == bars.index[201 + 21].date()


def test_conflicting_duplicate_date_is_bad_data():
    """A date listed twice with different closes is a bad close; identical twins are one row."""
    bars = frame_of(random_walk(200, 7))
    twin = pd.concat([bars.iloc[:150], bars.iloc[149:150], bars.iloc[150:]])
    assert track_record("X", twin).starts_after is None
    conflict = twin.copy()
    conflict.iloc[150, :] = conflict.iloc[150, :] * 1.01
    assert track_record("X", conflict).starts_after == bars.index[149].date()


def test_missing_adj_close_on_some_rows_is_bad():
    """Adj Close present on most rows but missing on one is a bad close there."""
    bars = frame_of(random_walk(200, 8))
    bars.iloc[120, bars.columns.get_loc("Adj Close")] = np.nan
    assert track_record("X", bars).starts_after == bars.index[120].date()


def test_flat_prices_have_no_regime():
    """Twenty years of flat closes: sigma is 0, no regime, nothing to count, ``moved`` False."""
    record = track_record("FLAT", frame_of(np.full(HISTORY_SESSIONS, 50.0)))
    assert record.current is None and record.since is None and not record.moved
    assert record.baseline.n == 0 and record.baseline.up5 is None


def test_too_little_history_and_no_bars():
    """Twenty closes give no regime; no bars at all is NoData."""
    record = track_record("NEW", frame_of(random_walk(21, 1)))
    assert record.current is None and record.baseline.n == 0 and record.moved
    with pytest.raises(NoData):
        track_record("X", frame_of(random_walk(30, 1)), as_of=date(2000, 1, 1))
    results = track_records({"A": frame_of(random_walk(50, 1)), "B": frame_of([])})
    assert isinstance(results["B"], NoData)


def test_previous_regime_is_r_t_minus_1():
    """``previous`` is the regime one session before ``as_of``."""
    bars = frame_of(random_walk(300, 12))
    regimes = regime_frame(bars[["Adj Close"]])["Adj Close"]
    record = track_record("X", bars)
    assert record.previous == Regime(regimes.iloc[-2])
    assert record.current == Regime(regimes.iloc[-1])


def test_chart_samples_are_the_counted_moves():
    """The chart's samples are exactly the n (current) and baseline n 5-session moves."""
    record = track_record("X", frame_of(random_walk(500, 13)))
    assert record.current is not None
    assert len(record.f5_current) == record.regimes[record.current].n
    assert len(record.f5_all) == record.baseline.n
    assert statistics.median(record.f5_all) == pytest.approx(record.baseline.med5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    returns=st.lists(
        st.floats(min_value=-0.08, max_value=0.08, allow_nan=False), min_size=0, max_size=160
    ),
    bad_at=st.one_of(st.none(), st.integers(min_value=0, max_value=159)),
    flat_run=st.integers(min_value=0, max_value=40),
)
@example(returns=[0.078125], bad_at=None, flat_run=25)  # z_1m = 1 exactly: skipped, see below
def test_property_vectorised_equals_loop(returns, bad_at, flat_run):
    """Any price path (with flat runs and a bad close anywhere) gives the loop's statistics,
    except paths where a score lands on a threshold up to rounding (:func:`on_a_threshold`)."""
    closes = list(100 * np.exp(np.cumsum([0.0, *returns, *([0.0] * flat_run)])))
    bars_closes = list(closes)
    if bad_at is not None and bad_at < len(bars_closes):
        bars_closes[bad_at] = float("nan")
        closes = closes[bad_at + 1 :]
    if not bars_closes or (bad_at is not None and bad_at == len(bars_closes) - 1):
        return
    assume(not on_a_threshold(closes, Thresholds()))  # rounding decides there, not the rules
    record = track_record("H", frame_of(bars_closes))
    want = loop_track_record(closes, Thresholds())
    for regime in Regime:
        assert_same(record.regimes[regime], want[regime.value])
    assert_same(record.baseline, want["baseline"])


def test_a_score_on_a_threshold_is_recognised():
    """The path hypothesis found (one +7.8% jump, then 25 flat sessions) puts z_1m on 1 exactly;
    an ordinary random walk has no such session."""
    closes = list(100 * np.exp(np.cumsum([0.0, 0.078125, *([0.0] * 25)])))
    assert on_a_threshold(closes, Thresholds())
    assert not on_a_threshold(list(random_walk(300, 3)), Thresholds())
