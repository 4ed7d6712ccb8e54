"""Symbols as people type them: full-width characters, mainland six-digit codes, bare numbers.

``normalize_symbol`` turns what a user typed into the symbol the sources know, or raises
:class:`SymbolProblem` with a message key and its parameters (``commands.validation`` turns it
into the user's error):

- full-width and other compatibility forms are folded (NFKC): ``ＩＷＭ`` -> ``IWM``,
  ``２８００.ＨＫ`` -> ``2800.HK``;
- a six-digit mainland code gets its exchange's suffix from the code ranges the exchanges
  assign: ``510300`` -> ``510300.SS``, ``159915`` -> ``159915.SZ``, ``588000`` -> ``588000.SS``;
- a bare four- or five-digit code is a Hong Kong *and* a Taiwan form, so the user is asked which
  (``2800.HK`` or ``2800.TW``) instead of a guess;
- a suffix no exchange here uses is the user's to fix, not a New York guess.

Code ranges (first digits of the six-digit code):

- Shanghai, from the SSE's own allocation guide, 《上海证券交易所证券交易业务指南第4号——证券代码段
  分配指南》(2024年第2次修订, notice 上证函〔2024〕1724号): first digit ``5`` funds (ETFs ``51``,
  ``52``, ``53``, ``56``, ``58`` for STAR-market ETFs, LOFs ``50``), ``6`` A shares (``60`` main
  board, ``68`` STAR market), ``9`` B shares (``900``).
- Shenzhen, from the SZSE code table (securities code allocation as exchanges' vendors document
  it): ``000``-``003`` main-board A shares (``002`` the former SME board), ``30`` ChiNext, ``20``
  B shares, ``15``/``16``/``18`` funds (``159`` ETFs, ``16`` LOFs).

Other six-digit codes (bonds, repos, Beijing Stock Exchange ``8``/``4``/``920``, and the
six-digit Taiwan ETF codes such as ``006208``) are not placed: the user adds the suffix.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from signals.exchanges import SUFFIXES, suffix_of

#: Six-digit code prefixes -> Yahoo suffix, longest prefix first when looked up.
MAINLAND_PREFIXES: dict[str, str] = {
    "50": "SS",
    "51": "SS",
    "52": "SS",
    "53": "SS",
    "56": "SS",
    "58": "SS",
    "60": "SS",
    "68": "SS",
    "900": "SS",
    "000": "SZ",
    "001": "SZ",
    "002": "SZ",
    "003": "SZ",
    "30": "SZ",
    "200": "SZ",
    "15": "SZ",
    "16": "SZ",
    "18": "SZ",
}

_SIX = re.compile(r"\d{6}")
_FOUR_OR_FIVE = re.compile(r"\d{4,5}")


@dataclass(frozen=True)
class SymbolProblem(ValueError):
    """Why a typed symbol has no one answer: a message key and its parameters."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.key} {self.params}"


def fold(raw: str) -> str:
    """``raw`` in its compatibility form (NFKC): full-width letters, digits and dots as ASCII."""
    return unicodedata.normalize("NFKC", raw)


def mainland_suffix(code: str) -> str | None:
    """``SS`` or ``SZ`` for a six-digit mainland code by its exchange's code ranges, else None."""
    if not _SIX.fullmatch(code):
        return None
    for length in (3, 2):
        found = MAINLAND_PREFIXES.get(code[:length])
        if found is not None:
            return found
    return None


def normalize_symbol(ticker: str) -> str:
    """The symbol the sources know for an upper-case, already folded ``ticker``.

    Raises :class:`SymbolProblem` for a bare Hong Kong/Taiwan number, an unplaced six-digit code
    or an unknown exchange suffix.
    """
    if _SIX.fullmatch(ticker):
        suffix = mainland_suffix(ticker)
        if suffix is None:
            raise SymbolProblem("error.ticker_needs_exchange", {"ticker": ticker})
        return f"{ticker}.{suffix}"
    if _FOUR_OR_FIVE.fullmatch(ticker):
        raise SymbolProblem(
            "error.ticker_hk_or_tw", {"ticker": ticker, "hk": f"{ticker}.HK", "tw": f"{ticker}.TW"}
        )
    suffix = suffix_of(ticker)
    if suffix is not None and suffix not in SUFFIXES:
        raise SymbolProblem("error.unknown_exchange", {"ticker": ticker, "suffix": suffix})
    return ticker
