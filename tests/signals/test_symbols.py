"""Symbols as people type them (issue 21): full-width forms, mainland codes, bare numbers,
exchange suffixes and market names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.reply import UserError
from commands.validation import parse_symbol, parse_tickers
from signals.exchanges import (
    EXCHANGES,
    MARKETS,
    SUFFIXES,
    UnknownExchange,
    calendar_name,
    exchange_for,
    market_mic,
)
from signals.funds import FUNDS, search
from signals.symbols import MAINLAND_PREFIXES, mainland_suffix


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("ＩＷＭ", "IWM"),
        ("２８００.ＨＫ", "2800.HK"),
        ("２８００．ＨＫ", "2800.HK"),  # a full-width full stop too
        ("510300", "510300.SS"),
        ("159915", "159915.SZ"),
        ("588000", "588000.SS"),
        ("600519", "600519.SS"),
        ("000001", "000001.SZ"),
        ("300750", "300750.SZ"),
        ("５１０３００", "510300.SS"),
        ("2800.hk", "2800.HK"),
        ("0050.TW", "0050.TW"),
        ("00679B.TWO", "00679B.TWO"),
        ("$SPY", "SPY"),
        ("^HSI", "^HSI"),
        ("EURUSD=X", "EURUSD=X"),
    ],
)
def test_symbols_as_typed(typed: str, symbol: str) -> None:
    """Each form people type resolves to the symbol the sources know."""
    assert parse_symbol(typed) == symbol
    assert parse_tickers(typed) == [symbol]


def test_full_width_lists_split() -> None:
    """Full-width commas and spaces separate tickers like ASCII ones."""
    assert parse_tickers("ＩＷＭ，ＳＰＹ　２８００.ＨＫ") == ["IWM", "SPY", "2800.HK"]


@pytest.mark.parametrize("code", ["2800", "0050", "00878", "12345"])
def test_bare_hong_kong_or_taiwan_number_asks_which(code: str) -> None:
    """A bare four- or five-digit code names both forms instead of guessing."""
    with pytest.raises(UserError) as caught:
        parse_tickers(code)
    assert caught.value.key == "error.ticker_hk_or_tw"
    assert caught.value.params == {"ticker": code, "hk": f"{code}.HK", "tw": f"{code}.TW"}


@pytest.mark.parametrize("code", ["123456", "006208", "830799", "920001", "700001"])
def test_six_digits_outside_the_fund_and_stock_ranges_ask_for_a_suffix(code: str) -> None:
    """Bonds, Beijing, subscription codes and Taiwan's six-digit ETFs are not placed."""
    with pytest.raises(UserError) as caught:
        parse_symbol(code)
    assert caught.value.key == "error.ticker_needs_exchange"


@pytest.mark.parametrize(("typed", "suffix"), [("2800.XX", "XX"), ("BRK.B", "B"), ("VOD.LN", "LN")])
def test_unknown_suffix_is_the_users_to_fix(typed: str, suffix: str) -> None:
    """An exchange suffix no exchange here uses is a clear error, not a New York guess."""
    with pytest.raises(UserError) as caught:
        parse_symbol(typed)
    assert caught.value.key == "error.unknown_exchange"
    assert caught.value.params == {"ticker": typed, "suffix": suffix}
    with pytest.raises(UnknownExchange):
        exchange_for(typed)


@given(st.from_regex(r"[0-9]{6}", fullmatch=True))  # codes as typed: ASCII digits
def test_mainland_codes_follow_the_code_ranges(code: str) -> None:
    """A six-digit code is placed by its prefix (SSE 5/6/900, SZSE 000-003/30/200/15/16/18)
    or asked about; never both, never another exchange."""
    suffix = mainland_suffix(code)
    prefixes = [p for p in MAINLAND_PREFIXES if code.startswith(p)]
    if suffix is None:
        assert not prefixes
        with pytest.raises(UserError):
            parse_symbol(code)
    else:
        assert {MAINLAND_PREFIXES[p] for p in prefixes} == {suffix}
        assert parse_symbol(code) == f"{code}.{suffix}"
        assert exchange_for(f"{code}.{suffix}") == ("XSHG" if suffix == "SS" else "XSHE")


_ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(
    st.text(alphabet=_ASCII, min_size=1, max_size=8),
    st.sampled_from(["", *(f".{s}" for s in SUFFIXES)]),
)
def test_full_width_input_means_the_same_as_ascii(base: str, suffix: str) -> None:
    """Typed in full-width characters, a symbol resolves (or fails) exactly as in ASCII."""
    typed = base + suffix
    try:
        expected: object = parse_tickers(typed)
    except UserError as exc:
        expected = (exc.key, exc.params)
    try:
        got: object = parse_tickers(_full_width(typed))
    except UserError as exc:
        got = (exc.key, exc.params)
    assert got == expected


def test_every_suffix_and_market_name_has_a_calendar() -> None:
    """Suffixes and market names point at known exchanges; XSHE keeps Shanghai's sessions."""
    assert set(SUFFIXES.values()) <= set(EXCHANGES)
    assert set(MARKETS.values()) <= set(EXCHANGES)
    assert exchange_for("IWM") == "XNYS" and exchange_for("2800.HK") == "XHKG"
    assert exchange_for("159915.SZ") == "XSHE" and calendar_name("XSHE") == "XSHG"
    for name, mic in {"hk": "XHKG", "cn": "XSHG", "sz": "XSHE", "tw": "XTAI", "jp": "XTKS"}.items():
        assert market_mic(name) == mic
    assert market_mic("uk") == "XLON" and market_mic("xhkg") == "XHKG" and market_mic("zz") is None


def test_the_new_funds_are_found_by_their_names() -> None:
    """Autocomplete (the catalog's search) offers the new funds by code or by name."""
    assert sum(1 for f in FUNDS.values() if "." in f.ticker) >= 60
    assert [f.ticker for f in search("2800")][:1] == ["2800.HK"]
    assert "2800.HK" in [f.ticker for f in search("盈富")]
    assert "510300.SS" in [f.ticker for f in search("华泰柏瑞")]
    assert "0050.TW" in [f.ticker for f in search("元大台灣")]
    for fund in FUNDS.values():
        assert parse_symbol(fund.ticker) == fund.ticker
