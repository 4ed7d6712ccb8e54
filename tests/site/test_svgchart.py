"""The research page's SVG chart writes its price ticks as the card's text writes prices, in the
fund's own currency (issue 22/21): never a guessed "$", and a long tick is never cut off."""

from __future__ import annotations

import re

import pytest

from bot.site.svgchart import LEFT, PHONE_CHAR, chart_svg
from tests.formatting.test_chart_currency import card_in

TICK = re.compile(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" fill="#[0-9a-f]+">([^<]*\d)<')


def ticks(svg: str) -> list[tuple[float, str]]:
    """(right edge, text) of each price tick (the last date label is right-anchored too)."""
    return [(float(x), text) for x, text in TICK.findall(svg) if "-" not in text[1:]]


@pytest.mark.parametrize(
    ("ticker", "currency", "scale", "mark"),
    [("2800.HK", "HKD", 1.125, "HK$"), ("510300.SS", "CNY", 0.0145, "CN¥"),
     ("1306.T", "JPY", 110.0, "¥"), ("IWM", "USD", 1.0, "$")],
)  # fmt: skip
def test_ticks_carry_the_funds_currency(
    ticker: str, currency: str, scale: float, mark: str
) -> None:
    """Every tick starts with the currency's mark; a HKD/CNY/JPY chart has no bare "$"; the
    margin leaves each tick room at the phone's font size."""
    shown = ticks(chart_svg(card_in(ticker, currency, scale), "green-up"))
    assert len(shown) >= 2
    for right, text in shown:
        assert text.startswith(mark), text
        assert "$" not in text.replace("HK$", "") or currency == "USD"
        assert right - PHONE_CHAR * len(text) >= 8
    assert ticks(chart_svg(card_in(ticker, currency, scale), "red-up")) == shown


def test_unreported_currency_is_a_bare_number() -> None:
    """No currency from the source: numbers without a mark, at the designed margin."""
    shown = ticks(chart_svg(card_in("XYZ", None), "green-up"))
    assert shown and all(text[0].isdigit() for _, text in shown)
    assert {right for right, _ in shown} == {LEFT - 8}
