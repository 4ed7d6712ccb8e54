"""Numbers and dates: signed two-decimal percentages, dollar prices, long dates in en and zh."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formatting.i18n import LANGS, Lang
from formatting.numbers import long_date, pct, price

PCT = re.compile(r"^(?:0\.00|[+-](?!0\.00%)\d{1,3}(?:,\d{3})*\.\d{2})%$")
PRICE = re.compile(r"^-?\$\d{1,3}(?:,\d{3})*\.\d{2}$")
langs = st.sampled_from(LANGS)


def parse_number(text: str) -> float:
    """The value a formatted number shows (grouping, $ and % removed)."""
    return float(text.replace(",", "").replace("$", "").rstrip("%"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (281.65 / 292.02 - 1, "-3.55%"),
        (281.65 / 288.37 - 1, "-2.33%"),
        (281.65 / 282.27 - 1, "-0.22%"),
        (0.004, "+0.40%"),
        (0.0, "0.00%"),
        (-0.0, "0.00%"),
        (-0.00004, "0.00%"),
        (0.00004, "0.00%"),
        (-0.00006, "-0.01%"),
        (12.3456, "+1,234.56%"),
        (-1.0, "-100.00%"),
    ],
)
def test_pct(r: float, expected: str, lang: Lang) -> None:
    """Returns show two decimals with an explicit sign, and zero never as -0.00%."""
    assert pct(r, lang) == expected


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (281.65, "$281.65"),
        (1234.5, "$1,234.50"),
        (1234567.891, "$1,234,567.89"),
        (0.5, "$0.50"),
        (9.999, "$10.00"),
    ],
)
def test_price(x: float, expected: str, lang: Lang) -> None:
    """Prices are dollars with two decimals and grouping, the same in both languages."""
    assert price(x, lang) == expected


def test_long_date() -> None:
    """Long dates follow each language's convention."""
    assert long_date(date(2026, 6, 8), "en") == "June 8, 2026"
    assert long_date(date(2026, 6, 8), "zh") == "2026年6月8日"
    assert long_date(date(2025, 12, 31), "zh") == "2025年12月31日"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(bad: float) -> None:
    """NaN and infinities are bugs upstream, never shown as text."""
    with pytest.raises(ValueError, match="finite"):
        pct(bad, "en")
    with pytest.raises(ValueError, match="finite"):
        price(bad, "zh")


@given(r=st.floats(min_value=-1.0, max_value=1000.0, allow_nan=False), lang=langs)
def test_pct_format_and_round_trip(r: float, lang: Lang) -> None:
    """Any return formats strictly and reads back within 0.005 percentage points, same sign."""
    text = pct(r, lang)
    assert PCT.match(text), text
    shown = parse_number(text)
    assert abs(shown - r * 100) <= 0.005 + 1e-9 * max(1.0, abs(r * 100))
    if shown != 0:
        assert math.copysign(1, shown) == math.copysign(1, r)
        assert text[0] == ("+" if r > 0 else "-")


@given(x=st.floats(min_value=0.0, max_value=1e9, allow_nan=False), lang=langs)
def test_price_format_and_round_trip(x: float, lang: Lang) -> None:
    """Any price formats strictly and reads back within half a cent."""
    text = price(x, lang)
    assert PRICE.match(text), text
    assert abs(parse_number(text) - x) <= 0.005 + 1e-9 * max(1.0, x)


@given(r=st.floats(min_value=-1.0, max_value=1000.0, allow_nan=False))
def test_pct_same_in_both_languages(r: float) -> None:
    """Percentages look the same in English and Chinese (like the seed card)."""
    assert pct(r, "en") == pct(r, "zh")


@pytest.mark.parametrize(
    ("currency", "en", "zh"),
    [
        ("USD", "$1,412.60", "$1,412.60"),
        ("HKD", "HK$1,412.60", "HK$1,412.60"),
        ("GBP", "£1,412.60", "£1,412.60"),
        ("GBp", "1,412.60p", "1,412.60便士"),  # pence stay pence, never pounds
        ("GBX", "1,412.60p", "1,412.60便士"),
        ("JPY", "¥1,412.60", "¥1,412.60"),
        ("EUR", "€1,412.60", "€1,412.60"),
        ("CHF", "CHF 1,412.60", "CHF 1,412.60"),  # Babel's symbol is the code itself
        ("XYZ", "XYZ 1,412.60", "XYZ 1,412.60"),  # unknown: its ISO code, never $
        ("ZAc", "ZAc 1,412.60", "ZAc 1,412.60"),
        (None, "1,412.60", "1,412.60"),  # the source did not say: no symbol at all
    ],
)
def test_price_in_its_currency(currency: str | None, en: str, zh: str) -> None:
    """A price shows its own currency (USD stays $); pence are pence; unknown is the code."""
    assert price(1412.6, "en", currency) == en
    assert price(1412.6, "zh", currency) == zh
    assert price(-1412.6, "en", currency).startswith("-")
