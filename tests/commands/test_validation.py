"""Property tests for the input parsers: they accept exactly the documented forms."""

from __future__ import annotations

import re
from datetime import time

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from commands.reply import UserError
from commands.validation import (
    MAX_TICKERS,
    parse_colors,
    parse_date,
    parse_language,
    parse_ticker,
    parse_tickers,
    parse_time,
    parse_timezone,
    shown,
)
from signals.exchanges import suffix_of

TICKER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-^="
valid_tickers = st.text(alphabet=TICKER_ALPHABET, min_size=1, max_size=15)


@given(valid_tickers)
def test_valid_tickers_are_accepted_upper_cased(raw):
    """Letters, digits, . - ^ = and 1-15 characters: accepted, upper-cased, idempotent."""
    assume(not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw))  # an ISO date is never a ticker
    ticker = parse_ticker(raw)
    assert ticker == raw.upper()
    assert parse_ticker(ticker) == ticker
    assert parse_ticker(f"  ${raw} ") == ticker  # cashtags and stray spaces are fine


@given(st.text(min_size=1, max_size=600))
def test_anything_else_is_rejected_with_a_safe_echo(raw):
    """Any other text raises error.invalid_ticker; the echoed value is short and printable."""
    core = raw.strip().removeprefix("$")
    is_valid = bool(re.fullmatch(r"[A-Za-z0-9.\-^=]{1,15}", core)) and not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", core
    )
    if is_valid:
        assert parse_ticker(raw) == core.upper()
        return
    with pytest.raises(UserError) as caught:
        parse_ticker(raw)
    assert caught.value.key == "error.invalid_ticker"
    echoed = caught.value.params["ticker"]
    assert len(echoed) <= 24
    assert all(ch.isprintable() for ch in echoed)


@pytest.mark.parametrize(
    "raw",
    [
        "📈",
        "A" * 16,
        "IWM'; DROP TABLE servers;--",
        "<!here>",
        "@everyone",
        "ＩＷＭ",
        "IW M",
        "",
        "İWM",
    ],
)
def test_known_bad_inputs(raw):
    """Emoji, overlong, injection, mentions, full-width letters and spaces are not tickers."""
    with pytest.raises(UserError, match=r"error\.invalid_ticker"):
        parse_ticker(raw)


@given(
    st.lists(valid_tickers, min_size=1, max_size=MAX_TICKERS),
    st.sampled_from([" ", ",", ", ", "\n"]),
)
def test_ticker_lists_split_and_deduplicate(words, sep):
    """Lists split on spaces/commas, keep first-seen order and drop duplicates."""
    assume(not any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", w) for w in words))
    # issue 21: bare numbers and exchange suffixes have rules of their own (tests/signals/
    # test_symbols.py); this property is about splitting and de-duplicating
    assume(not any(re.fullmatch(r"\d{4,6}", w) or suffix_of(w.upper()) for w in words))
    tickers = parse_tickers(sep.join(words))
    assert tickers == list(dict.fromkeys(w.upper() for w in words))


def test_too_many_tickers():
    """More than the maximum is a clear error, not a silent cut."""
    with pytest.raises(UserError, match=r"error\.too_many_tickers"):
        parse_tickers(" ".join(f"T{i}" for i in range(MAX_TICKERS + 1)))


@given(st.integers(0, 23), st.integers(0, 59))
def test_times_round_trip(hour, minute):
    """Every HH:MM (and H:MM) parses to that time."""
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour}:{minute:02d}") == time(hour, minute)


@pytest.mark.parametrize("raw", ["24:00", "12:60", "noon", "1230", "12:3", ""])
def test_bad_times(raw):
    """Out-of-range or malformed times raise error.bad_time."""
    with pytest.raises(UserError, match=r"error\.bad_time"):
        parse_time(raw)


def test_timezones_and_languages_and_dates():
    """IANA names, language aliases and ISO dates are accepted; the rest gives a specific key."""
    assert parse_timezone(" Asia/Shanghai ") == "Asia/Shanghai"
    for bad in ("Mars/Olympus", "../../etc/passwd", "EST5EDT;rm"):
        with pytest.raises(UserError, match=r"error\.bad_timezone"):
            parse_timezone(bad)
    assert [parse_language(x) for x in ("EN", "中文", "cn", "Both", "双语")] == [
        "en",
        "zh",
        "zh",
        "both",
        "both",
    ]
    with pytest.raises(UserError, match=r"error\.bad_language"):
        parse_language("klingon")
    assert [parse_language(x) for x in ("zh-hant", "ZH-TW", "繁體中文", "both-hant")] == [
        "zh-hant", "zh-hant", "zh-hant", "both-hant",
    ]  # fmt: skip
    assert [parse_colors(x) for x in ("green-up", "RED-UP", "red", "红涨绿跌", "綠漲紅跌")] == [
        "green-up", "red-up", "red-up", "red-up", "green-up",
    ]  # fmt: skip
    with pytest.raises(UserError, match=r"error\.bad_colors"):
        parse_colors("blue-up")
    assert parse_date("2026-06-08").isoformat() == "2026-06-08"
    with pytest.raises(UserError, match=r"error\.bad_date"):
        parse_date("06/08/2026")


@given(st.text(max_size=1000))
def test_shown_is_bounded_and_printable(raw):
    """Whatever the user typed, what we quote back is at most 24 printable characters."""
    out = shown(raw)
    assert len(out) <= 24
    assert all(ch.isprintable() for ch in out)
