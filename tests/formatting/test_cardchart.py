"""The card chart: labels in the languages shown, memoised bytes, a safe file name."""

from __future__ import annotations

import re
from datetime import date

from formatting.card import Card
from formatting.cardchart import chart_filename, chart_labels, chart_png
from signals.funds import lookup
from signals.momentum import compute_signals
from tests.fakes.market import worked_example_bars

CJK = re.compile(r"[\u4e00-\u9fff]")


def worked_card() -> Card:
    bars = worked_example_bars()
    signal = compute_signals({"IWM": bars})["IWM"]
    closes = tuple((d.date(), float(v)) for d, v in bars["Close"].tail(63).items())
    return Card(signal=signal, fund=lookup("IWM"), closes=closes, expected_session=date(2026, 6, 8))


def test_labels_follow_the_language():
    """en labels have no Chinese; zh labels have the Chinese regime; both has both, English first."""
    card = worked_card()
    en, zh, both = (chart_labels(card, lang) for lang in ("en", "zh", "both"))
    assert "defensive impulse" in en.title and not CJK.search(en.title + en.as_of + en.close)
    assert "防御动能" in zh.title and "2026年6月8日" in zh.as_of
    assert both.title.index("defensive impulse") < both.title.index("防御动能")
    assert both.close == "Close / 收盘价"


def test_png_is_memoised_per_card_and_language():
    """The same card renders once; another language renders again."""
    card = worked_card()
    first = chart_png(card, "zh")
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart_png(card, "zh") is first
    assert chart_png(card, "en") is not first


def test_filename_is_safe():
    """Odd characters in a ticker never reach the attachment name."""
    card = worked_card()
    assert chart_filename(card) == "IWM_20260608.png"
