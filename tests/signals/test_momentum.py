"""The momentum computation against SIGNALS.md: worked example, all regimes, edge cases."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from signals.errors import BadData, InsufficientHistory, NoData
from signals.momentum import Signal, Thresholds, compute_frame, compute_signals
from signals.regimes import REGIME_TABLE, Direction, Regime, regime_for
from signals.sources.csv import CsvSource
from tests.fakes.market import WORKED_SESSION, bars_from_closes, worked_example_bars, write_csv
from tests.support import closes_from_log_returns


def reference_signal(adj: list[float]) -> dict[str, float]:
    """A deliberately plain, loop-based implementation of SIGNALS.md used as an oracle."""
    t = len(adj) - 1
    r_1d = adj[t] / adj[t - 1] - 1
    r_5d = adj[t] / adj[t - 5] - 1
    r_1m = adj[t] / adj[t - 21] - 1
    logs = [math.log(adj[i] / adj[i - 1]) for i in range(1, len(adj))][-63:]
    mean = sum(logs) / len(logs)
    sigma = math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1))
    z_1d = math.log(1 + r_1d) / sigma
    z_5d = math.log(1 + r_5d) / (sigma * math.sqrt(5))
    z_1m = math.log(1 + r_1m) / (sigma * math.sqrt(21))
    return {
        "r_1d": r_1d,
        "r_5d": r_5d,
        "r_1m": r_1m,
        "sigma": sigma,
        "fast": (z_1d + z_5d) / 2,
        "slow": z_1m,
    }


def test_worked_example_from_csv(tmp_path):
    """IWM 2026-06-08 from a CSV: $281.65, -3.55%, -2.33%, -0.22%, defensive impulse."""
    write_csv(tmp_path, "IWM", worked_example_bars())
    fetched = CsvSource(tmp_path).fetch(["IWM"], start=date(2026, 1, 1), end=WORKED_SESSION)
    result = compute_signals(fetched.bars)["IWM"]
    assert isinstance(result, Signal)
    assert result.as_of == WORKED_SESSION
    assert result.close == pytest.approx(281.65)
    assert f"{result.r_1d * 100:+.2f}%" == "-3.55%"
    assert f"{result.r_5d * 100:+.2f}%" == "-2.33%"
    assert f"{result.r_1m * 100:+.2f}%" == "-0.22%"
    assert result.regime is Regime.DEFENSIVE_IMPULSE
    assert result.fast <= -1.0 < result.slow < 1.0


def test_worked_example_matches_reference_including_adjustment(tmp_path):
    """Returns and sigma use Adj Close (a dividend adjustment inside the sigma window counts)."""
    bars = worked_example_bars()
    result = compute_signals({"IWM": bars})["IWM"]
    assert isinstance(result, Signal)
    expected = reference_signal(list(bars["Adj Close"]))
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, rel=1e-12)
    unadjusted = reference_signal(list(bars["Close"]))
    assert result.sigma != pytest.approx(unadjusted["sigma"], rel=1e-6)


def designed_log_returns(fast: Direction, slow: Direction, s: float = 0.01) -> list[float]:
    """63+ log returns whose last 21 produce the wanted fast and slow directions."""
    noise = [s if i % 2 else -s for i in range(62)]
    one_day = {Direction.DOWN: -2.5 * s, Direction.FLAT: 0.0, Direction.UP: 2.5 * s}[fast]
    four_days = {Direction.DOWN: -2.0 * s, Direction.FLAT: 0.0, Direction.UP: 2.0 * s}[fast]
    five_day = one_day + four_days
    month_target = {Direction.DOWN: -12 * s, Direction.FLAT: 0.0, Direction.UP: 12 * s}[slow]
    sixteen_days = month_target - five_day
    return [*noise, *([sixteen_days / 16] * 16), *([four_days / 4] * 4), one_day]


@pytest.mark.parametrize("fast", list(Direction))
@pytest.mark.parametrize("slow", list(Direction))
def test_every_regime_is_reached(fast, slow):
    """A series designed for each (fast, slow) cell lands in that cell of the regime table."""
    closes = closes_from_log_returns(designed_log_returns(fast, slow))
    bars = bars_from_closes(closes, end=date(2026, 3, 31))
    result = compute_signals({"TEST": bars})["TEST"]
    assert isinstance(result, Signal)
    assert result.regime is regime_for(fast, slow)
    reference = reference_signal(closes)
    assert result.fast == pytest.approx(reference["fast"])
    assert result.slow == pytest.approx(reference["slow"])


def test_regime_table_matches_signals_md():
    """The table reads fast rows down/flat/up against slow columns down/flat/up."""
    assert [r.value for r in REGIME_TABLE[0]] == [
        "risk_off_regime",
        "defensive_impulse",
        "pullback",
    ]
    assert [r.value for r in REGIME_TABLE[1]] == ["downtrend", "neutral", "uptrend"]
    assert [r.value for r in REGIME_TABLE[2]] == [
        "relief_bounce",
        "risk_on_impulse",
        "risk_on_regime",
    ]


def test_threshold_boundaries_are_inclusive():
    """A z of exactly -1.0 is down and +1.0 is up; configurable thresholds move the line."""
    adj = pd.DataFrame(
        {"X": closes_from_log_returns(designed_log_returns(Direction.DOWN, Direction.FLAT))}
    )
    table = compute_frame(adj)
    fast = float(table.loc["X", "fast"])
    at_edge = compute_frame(adj, thresholds=Thresholds(down=fast, up=5.0))
    assert at_edge.loc["X", "regime"] == "defensive_impulse"
    below_edge = compute_frame(adj, thresholds=Thresholds(down=fast - 1e-9, up=5.0))
    assert below_edge.loc["X", "regime"] == "neutral"
    with pytest.raises(ValueError, match="below"):
        Thresholds(down=1.0, up=1.0)


def test_vectorised_matches_reference_for_many_ragged_tickers():
    """Tickers with different lengths and gaps match the loop oracle on their own closes."""
    rng = np.random.default_rng(7)
    n = 130
    data = {}
    for i in range(40):
        series = 50 * np.exp(np.cumsum(rng.normal(0, 0.015, n)))
        start = int(rng.integers(0, 80))
        series[:start] = np.nan
        for gap in rng.integers(start, n - 1, size=3):
            series[gap] = np.nan  # a missing bar mid-history
        data[f"T{i}"] = series
    adj = pd.DataFrame(data)
    table = compute_frame(adj)
    for ticker, column in adj.items():
        valid = [float(v) for v in column.dropna()]
        row = table.loc[ticker]
        if len(valid) < 22:
            assert row["regime"] is None
            continue
        expected = reference_signal(valid)
        for name, value in expected.items():
            assert row[name] == pytest.approx(value, rel=1e-9), (ticker, name)


def test_not_enough_history_is_an_error_not_a_label():
    """21 closes (no C[t-21]) yield InsufficientHistory; 22 closes yield a signal."""
    closes = closes_from_log_returns([0.01 if i % 2 else -0.012 for i in range(21)])
    assert len(closes) == 22
    short = compute_signals({"A": bars_from_closes(closes[1:], end=date(2026, 3, 31))})["A"]
    assert isinstance(short, InsufficientHistory)
    assert short.closes == 21
    enough = compute_signals({"A": bars_from_closes(closes, end=date(2026, 3, 31))})["A"]
    assert isinstance(enough, Signal)
    assert enough.closes == 22


def test_zero_volatility_gives_no_signal():
    """A flat price series has sigma 0: no made-up label."""
    result = compute_signals({"FLAT": bars_from_closes([10.0] * 70, end=date(2026, 3, 31))})["FLAT"]
    assert isinstance(result, InsufficientHistory)


def test_as_of_cuts_later_bars_and_empty_is_no_data():
    """as_of drops later bars (a live bar, or history after --as-of); nothing left is NoData."""
    bars = worked_example_bars()
    later = compute_signals({"IWM": bars}, as_of=date(2026, 6, 5))["IWM"]
    assert isinstance(later, Signal)
    assert later.as_of == date(2026, 6, 5)
    assert later.close == pytest.approx(292.02)
    gone = compute_signals({"IWM": bars}, as_of=date(2000, 1, 3))["IWM"]
    assert isinstance(gone, NoData)


def test_non_positive_prices_are_bad_data():
    """A zero adjusted close inside the window is bad data naming its date, never skipped."""
    bars = worked_example_bars()
    broken = bars.copy()
    broken.iloc[-30, broken.columns.get_loc("Adj Close")] = 0.0
    bad = compute_signals({"X": broken}, sources={"X": "csv:/data"})["X"]
    assert isinstance(bad, BadData)
    assert bad.day == broken.index[-30].date() and bad.source == "csv:/data"


def test_one_malformed_csv_does_not_fail_the_batch(tmp_path):
    """A broken file is that ticker's error; the other tickers in the same fetch are fine."""
    from signals.errors import SourceUnavailable

    write_csv(tmp_path, "IWM", worked_example_bars())
    (tmp_path / "BAD.csv").write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\nnot-a-date,1,1,1,1,1,1\n"
    )
    fetched = CsvSource(tmp_path).fetch(["IWM", "BAD"], start=date(2026, 1, 1), end=WORKED_SESSION)
    assert list(fetched.bars) == ["IWM"]
    assert isinstance(fetched.errors["BAD"], SourceUnavailable)
