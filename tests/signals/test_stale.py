"""Stale data (SIGNALS.md): the window counts back from the ticker's own last bar, and says so."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from commands.signal import build_cards
from formatting.card import Card
from formatting.text import card_text
from signals.calendar import MarketCalendar
from signals.errors import NoData
from signals.momentum import Signal
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.market import bars_from_closes, write_csv
from tests.support import reference

EVENING = datetime(2026, 6, 8, 23, 0, tzinfo=UTC)
SESSION = date(2026, 6, 8)


@pytest.mark.parametrize("behind", [1, 40, 120])
async def test_stale_data_is_computed_back_from_its_last_bar(tmp_path: Path, behind: int) -> None:
    """Data ending 1, 40 or 120 sessions ago: full 63-return sigma, exact numbers, plain words."""
    cal = MarketCalendar()
    days = cal.sessions_in_range(date(2025, 1, 1), SESSION)
    last = days[-1 - behind]
    rng = np.random.default_rng(behind)
    closes = [round(x, 6) for x in 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 200)))]  # CSV
    write_csv(tmp_path, "IWM", bars_from_closes(closes, end=last))
    prices = PriceService(CsvSource(tmp_path), cal)
    session = prices.session_for(EVENING)
    [card] = (await build_cards(prices, ["IWM"], session=session)).values()
    assert isinstance(card, Card)
    signal = card.signal
    assert signal.as_of == last and signal.close == pytest.approx(closes[-1])
    expected = reference(closes)
    for name, value in expected.items():
        assert getattr(signal, name) == pytest.approx(value, rel=1e-9), name
    assert card.sessions_behind == behind
    words = "1 session ago" if behind == 1 else f"{behind} sessions ago"
    assert card_text(card, "en").stale is not None
    assert words in str(card_text(card, "en").stale)
    assert f"（{behind}个交易日前）" in str(card_text(card, "zh").stale)


async def test_fresh_data_has_no_stale_line(tmp_path: Path) -> None:
    """Data for the session asked about carries no "latest close available" line."""
    closes = list(100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, 100))))
    write_csv(tmp_path, "IWM", bars_from_closes(closes, end=SESSION))
    prices = PriceService(CsvSource(tmp_path), MarketCalendar())
    [card] = (await build_cards(prices, ["IWM"], session=SESSION)).values()
    assert isinstance(card, Card) and card.sessions_behind == 0
    assert card_text(card, "en").stale is None


async def test_no_data_only_when_the_source_has_no_bar_at_all(tmp_path: Path) -> None:
    """A file with no rows is "no data"; one that ends years ago still gives its last signal."""
    (tmp_path / "EMPTY.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n")
    old_end = date(2021, 6, 8)
    closes = [
        round(x, 6) for x in 100 * np.exp(np.cumsum(np.random.default_rng(2).normal(0, 0.01, 90)))
    ]
    write_csv(tmp_path, "OLD", bars_from_closes(closes, end=old_end))
    prices = PriceService(CsvSource(tmp_path), MarketCalendar())
    result = await prices.signals(["EMPTY", "OLD"], session=SESSION)
    assert isinstance(result["EMPTY"], NoData)
    old = result["OLD"]
    assert isinstance(old, Signal) and old.as_of == old_end
    assert old.sigma == pytest.approx(reference(closes)["sigma"], rel=1e-9)
