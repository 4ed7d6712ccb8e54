"""Locale-aware numbers and dates (Babel): signed percentages, prices in their currency, dates."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol

from formatting.i18n import Lang, t

#: Babel locale used for numbers and dates in each language.
NUMBER_LOCALE: dict[Lang, str] = {
    "en": "en_US",
    "zh": "zh_Hans_CN",
    "zh-hant": "zh_Hant_TW",
    "zh-hk": "zh_Hant_HK",
}
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


#: Yahoo's codes for prices quoted in pence (London): shown as pence, never as pounds.
PENCE_CODES = frozenset({"GBp", "GBX"})
#: Symbols read from Babel's English data (``HK$``, ``£``, ``¥``, ``€``); USD is plain ``$``.
_SYMBOL_LOCALE = "en_US"


#: Marks chosen over Babel's English ones: the plain ``$`` for US dollars, and the forms Canadian
#: and Singapore quotes use (Babel: ``CA$``, ``SGD``). Babel gives the rest: ``HK$``, ``CN¥``
#: (yuan, told apart from the yen's ``¥``), ``NT$``, ``₩``, ``£``, ``€``, ``A$``, ``₹``.
_SYMBOLS: dict[str, str] = {"USD": "$", "CAD": "C$", "SGD": "S$"}


def currency_symbol(currency: str) -> str:
    """How a price in ``currency`` (ISO 4217) is marked: ``$``, ``HK$``, ``£``, ``¥``; a code
    Babel does not know (or a minor-unit code like ``ZAc``) is shown as the code itself."""
    mark = _SYMBOLS.get(currency)
    if mark is not None:
        return mark
    if len(currency) == 3 and currency.isalpha() and currency.isupper():
        return str(get_currency_symbol(currency, locale=_SYMBOL_LOCALE))
    return currency


def price(x: float, lang: Lang, currency: str | None = "USD", *, decimals: int = 2) -> str:
    """A price, grouped, in its currency: ``$281.65``, ``HK$412.60``, ``£1,234.50``,
    ``72.50p`` / ``72.50便士`` (pence), ``CHF 12.00`` (a symbol that is a code), or the bare
    number when the source did not say which currency (never a guessed ``$``). Two decimals
    unless ``decimals`` (0 to 4) says otherwise: a chart's axis ticks (``HK$25.5``, ``¥3,000``)."""
    if decimals not in range(5):
        raise ValueError(f"decimals must be 0 to 4, not {decimals!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        value = _exact(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    number = str(format_decimal(abs(value), format=pattern, locale=NUMBER_LOCALE[lang]))
    sign = "-" if value < 0 else ""
    if currency is None:
        return f"{sign}{number}"
    if currency in PENCE_CODES:
        return t("price.pence", lang, amount=f"{sign}{number}")
    symbol = currency_symbol(currency)
    if symbol.isalpha():  # a code (CHF, ZAc): a space keeps it apart from the digits
        return f"{sign}{symbol} {number}"
    return f"{sign}{symbol}{number}"


def long_date(d: date, lang: Lang) -> str:
    """A date written out: ``June 8, 2026`` / ``2026年6月8日``."""
    return str(format_date(d, format="long", locale=NUMBER_LOCALE[lang]))
