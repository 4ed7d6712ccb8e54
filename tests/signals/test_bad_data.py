"""Bad data (SIGNALS.md): the exact numbers or a BadData naming ticker, date and source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.signal import error_message
from formatting.messages import message_text
from signals.errors import BadData
from signals.momentum import Signal, compute_signals
from signals.sources.csv import CsvSource
from tests.fakes.market import bars_from_closes, write_csv
from tests.support import reference

END = date(2026, 6, 8)
WINDOW = 64  # closes the measures use
BAD_VALUES = [float("nan"), float("inf"), float("-inf"), 0.0, -5.0, 1e308, 1e-300]
KINDS = ["close", "adj", "both", "adj_missing", "duplicate"]


def _clean(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    factor = np.where(np.arange(n) < n // 2, 0.98, 1.0)  # a dividend adjustment mid-history
    return bars_from_closes(list(closes), end=END, adj_factor=list(factor))


def _corrupt(frame: pd.DataFrame, kind: str, row: int, value: float) -> pd.DataFrame:
    out = frame.copy()
    if kind == "duplicate":
        extra = out.iloc[[row]].copy()
        extra[["Close", "Adj Close"]] *= 1.01
        return pd.concat([out, extra]).sort_index(kind="stable")
    if kind == "adj_missing":
        out.iloc[row, out.columns.get_loc("Adj Close")] = np.nan
        return out
    columns = {"close": ["Close"], "adj": ["Adj Close"], "both": ["Close", "Adj Close"]}[kind]
    for name in columns:
        out.iloc[row, out.columns.get_loc(name)] = value
    return out


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=WINDOW + 1, max_value=130),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    kind=st.sampled_from(KINDS),
    back=st.integers(min_value=0, max_value=129),
    value=st.sampled_from(BAD_VALUES),
)
def test_exact_reference_or_bad_data(n: int, seed: int, kind: str, back: int, value: float) -> None:
    """One bad value anywhere: inside the 64 closes used it is BadData on that date, outside
    it the numbers equal the clean frame's reference exactly (to float rounding)."""
    back = back % n
    clean = _clean(n, seed)
    row = n - 1 - back
    frame = _corrupt(clean, kind, row, value)
    result = compute_signals({"IWM": frame}, sources={"IWM": "yfinance"})["IWM"]
    if back < WINDOW:
        assert isinstance(result, BadData), result
        assert (result.ticker, result.day, result.source) == (
            "IWM",
            clean.index[row].date(),
            "yfinance",
        )
        return
    assert isinstance(result, Signal), result
    expected = reference(list(clean["Adj Close"]))
    for name, number in expected.items():
        assert getattr(result, name) == pytest.approx(number, rel=1e-9, abs=1e-12), name
    assert result.close == clean["Close"].iloc[-1]


def test_bad_data_message_names_ticker_date_and_source() -> None:
    """The user reads which source, ticker and date are bad, in each language shown."""
    frame = _corrupt(_clean(90, 7), "close", 85, 0.0)
    error = compute_signals({"IWM": frame}, sources={"IWM": "yfinance"})["IWM"]
    assert isinstance(error, BadData)
    message = error_message(error)
    text = message_text(message.key, message.params, "both")
    day = frame.index[85].date()
    assert f"Bad price data from Yahoo Finance for IWM on {day:%B} {day.day}, {day.year}" in text
    assert f"雅虎财经提供的IWM在{day.year}年{day.month}月{day.day}日的价格数据有误" in text


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "1e308", "inf", "nan"])
def test_bad_close_in_a_csv_is_bad_data(tmp_path: Path, bad: str) -> None:
    """A CSV with a non-numeric, zero, negative or absurd close two days ago: BadData, no shift."""
    path = write_csv(tmp_path, "IWM", _clean(90, 3))
    lines = path.read_text().splitlines()
    cells = lines[-3].split(",")
    cells[4] = bad
    lines[-3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    source = CsvSource(tmp_path)
    fetched = source.fetch(["IWM"], start=date(2025, 1, 1), end=END)
    result = compute_signals(fetched.bars, sources={"IWM": source.source_id})["IWM"]
    assert isinstance(result, BadData)
    assert result.day.isoformat() == cells[0] and result.source == source.source_id


def test_exact_duplicate_rows_are_one_bar(tmp_path: Path) -> None:
    """A row repeated with the same values is not bad data: it is one bar."""
    clean = _clean(90, 5)
    doubled = pd.concat([clean, clean.iloc[[-3]]]).sort_index(kind="stable")
    path = write_csv(tmp_path, "IWM", doubled)
    fetched = CsvSource(tmp_path).fetch(["IWM"], start=date(2025, 1, 1), end=END)
    result = compute_signals(fetched.bars)["IWM"]
    assert isinstance(result, Signal) and result.closes == 90
    assert path.exists()


class _NoHistory:
    async def previous_regime(self, ticker: str, before_session: date) -> str | None:
        return None


async def test_digest_preview_with_a_twelve_session_ticker() -> None:
    """A ticker with 12 sessions next to a full one: "not enough history", never a crash
    (pandas 3 turned the missing regime into NaN: "nan is not a valid Regime")."""
    from commands.digest import preview_digest
    from formatting.digest import digest_text
    from signals.calendar import MarketCalendar
    from signals.service import PriceService
    from tests.fakes.market import worked_example_bars
    from tests.signals.test_service import CountingSource

    young = bars_from_closes([100.0 + i for i in range(12)], end=END)
    prices = PriceService(
        CountingSource({"IWM": worked_example_bars(), "NEW": young}), MarketCalendar()
    )
    digest = await preview_digest(prices, _NoHistory(), ["IWM", "NEW"], session=END)  # type: ignore[arg-type]
    assert [row.ticker for row in digest.rows] == ["IWM"]
    [issue] = digest.issues
    assert (issue.ticker, issue.key) == ("NEW", "error.not_enough_history")
    assert any("NEW" in line for line in digest_text(digest, "en").issues)
