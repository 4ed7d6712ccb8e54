"""Locale-aware numbers and dates (Babel): signed percentages, dollar prices, long dates."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal

from formatting.i18n import Lang

#: Babel locale used for numbers and dates in each language.
NUMBER_LOCALE: dict[Lang, str] = {"en": "en_US", "zh": "zh_Hans_CN", "zh-hant": "zh_Hant_TW"}
#: Two decimals with thousands grouping; the sign is added by us so zero never shows "-0.00".
TWO_DECIMALS = "#,##0.00"
_CENT = Decimal("0.01")


def _round2(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _exact(x: float) -> Decimal:
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    return Decimal(x)


def _two_decimals(value: Decimal, lang: Lang) -> str:
    return str(format_decimal(abs(value), format=TWO_DECIMALS, locale=NUMBER_LOCALE[lang]))


def pct(r: float, lang: Lang) -> str:
    """A simple return as a signed two-decimal percentage: ``-3.55%``, ``+0.40%``, ``0.00%``."""
    with localcontext() as ctx:
        ctx.prec = 60
        value = _round2(_exact(r) * 100)
    sign = "-" if value < 0 else "+" if value > 0 else ""
    return f"{sign}{_two_decimals(value, lang)}%"


def magnitude(r: float, lang: Lang) -> str | None:
    """A simple return's size as an unsigned percentage (``3.55%``); None when it rounds to 0."""
    shown = pct(r, lang)
    return None if shown == pct(0.0, lang) else shown.lstrip("+-")


def price(x: float, lang: Lang) -> str:
    """A US-dollar price, two decimals, grouped: ``$281.65``, ``$1,234.50`` (every language)."""
    value = _round2(_exact(x))
    sign = "-" if value < 0 else ""
    return f"{sign}${_two_decimals(value, lang)}"


def long_date(d: date, lang: Lang) -> str:
    """A date written out: ``June 8, 2026`` / ``2026年6月8日``."""
    return str(format_date(d, format="long", locale=NUMBER_LOCALE[lang]))
