"""Telegram HTML: every string escaped, every part valid on its own and within Telegram's limits."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formatting import telegram_html as th
from formatting.alerts import RegimeChange
from formatting.card import LANGUAGES, Card, Language, languages
from formatting.digest import Digest, DigestIssue, build_digest
from signals.regimes import Regime
from signals.texts import Bilingual
from tests.digest.conftest import SESSION, make_signal
from tests.formatting.conftest import LONGEST_FUND, make_card
from tests.formatting.telegram_parse import Malformed, parse, utf16_len

MARKUP = "_ * < & > </b> <b> &amp; ` [x](y) @everyone"
# text of every kind: markup, CJK, astral characters (two UTF-16 units each), spaces, newlines
any_text = st.lists(
    st.sampled_from([*"ab _*<&>@`\"'[]()#\n", "漢", "字", "，", "😀", "&amp;", "word "]),
    max_size=200,
).map("".join)
styles = st.sampled_from(["", "b", "i", "code"])
spans = st.builds(th.Span, any_text.map(lambda s: s.replace("\n", " ")), styles)
lines = st.builds(th.Line, st.lists(spans, max_size=4).map(tuple), st.booleans())


def card_with_fund(name: str, *, ticker: str = "QQQ") -> Card:
    """A catalog-shaped card whose fund name and index are ``name`` in every language."""
    fund = dataclasses.replace(
        LONGEST_FUND,
        ticker=ticker,
        name=name,
        names=Bilingual(en=name, zh=name, hant=name),
        tracks=Bilingual(en=name, zh=name, hant=name),
    )
    return dataclasses.replace(make_card(ticker=ticker, catalog=False), fund=fund)


def assert_valid(message: str, limit: int = th.MAX_MESSAGE) -> str:
    """The message parses as Telegram parses it, is 1..limit long; its shown text."""
    assert th.html_length(message) <= limit
    text = parse(message)
    assert 1 <= utf16_len(text) <= limit
    return text.replace(th.WORD_JOINER, "")


def test_escape() -> None:
    assert th.escape("a_b*c<d&e>f") == "a_b*c&lt;d&amp;e&gt;f"
    assert th.escape_attribute('x"y&') == "x&quot;y&amp;"
    assert parse(th.render([th.line(MARKUP, "b")])).replace(th.WORD_JOINER, "") == MARKUP
    assert "@everyone" not in parse(th.render([th.line(MARKUP)]))  # no mention


def test_the_checker_refuses_what_telegram_refuses() -> None:
    for bad in ("<b>x", "a < b", "x & y", "<b><i>x</b></i>", "<span>x</span>", "</b>"):
        with pytest.raises(Malformed):
            parse(bad)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, max_size=30), st.sampled_from([th.MAX_CAPTION, th.MAX_MESSAGE, 60]))
def test_every_split_part_is_valid_and_within_the_limit(items: list[th.Line], limit: int) -> None:
    """Any lines, any limit: each part parses on its own, fits, and together they hold every
    word of the text in order."""
    parts = th.split(items, limit)
    shown = [assert_valid(part, limit) for part in parts]
    words = [w for item in items for span in item.spans for w in span.text.split()]
    assert "".join("".join(s.split()) for s in shown) == "".join(words)


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=120).filter(lambda s: s.strip()))
def test_any_fund_name_is_shown_literally(name: str) -> None:
    """A fund name with ``_ * < & >`` (or anything else) never breaks the card."""
    card = card_with_fund(name.replace("\n", " "))
    out = th.card_to_telegram(card, "both")
    messages = [out.caption] if out.caption is not None else list(out.texts)
    shown = "\n".join(assert_valid(m) for m in messages)
    assert name.replace("\n", " ").strip() in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_card_with_markup_in_the_fund_name(language: Language) -> None:
    out = th.card_to_telegram(card_with_fund(MARKUP), language)
    messages = [out.caption] if out.caption is not None else list(out.texts)
    assert messages and all(assert_valid(m) for m in messages)
    assert MARKUP in "\n".join(assert_valid(m) for m in messages)


def test_caption_when_it_fits_else_text_after_the_photo() -> None:
    short = th.card_to_telegram(make_card(ticker="ZZZZ", catalog=False), "en")
    assert short.caption is not None and short.texts == ()
    assert_valid(short.caption, th.MAX_CAPTION)
    long = th.card_to_telegram(make_card(ticker=LONGEST_FUND.ticker), "both")
    assert long.caption is None and long.texts
    for text in long.texts:
        assert_valid(text)


def test_the_research_link_is_the_one_link() -> None:
    out = th.card_to_telegram(
        make_card(), "en", link=("https://example.org/research/IWM/?a=1&b=2", "Research <page>")
    )
    body = out.caption or "\n".join(out.texts)
    assert (
        '<a href="https://example.org/research/IWM/?a=1&amp;b=2">Research &lt;page&gt;</a>' in body
    )
    assert body.count("<a ") == 1 and out.link == "https://example.org/research/IWM/?a=1&b=2"


def test_caption_refuses_what_does_not_fit() -> None:
    assert th.caption([th.line("x" * th.MAX_CAPTION)]) is not None
    assert th.caption([th.line("x" * (th.MAX_CAPTION + 1))]) is None
    assert th.caption([th.line("&" * 300)]) is None  # 300 characters, 1,500 as HTML


def longest_digest(n: int, *, issues: int = 0) -> Digest:
    """``n`` long tickers, every one changed, ``issues`` tickers without data."""
    regimes = list(Regime)
    signals = [
        make_signal(f"LONG.TICKER{i:04d}", SESSION, regimes[i % 9], 123456.78 + i) for i in range(n)
    ]
    previous = {s.ticker: regimes[(i + 1) % 9] for i, s in enumerate(signals)}
    problems = [
        DigestIssue(ticker=f"<&_{i}>", key="error.no_data", params={"ticker": f"<&_*{i}>"})
        for i in range(issues)
    ]
    return build_digest(SESSION, signals, previous=previous, issues=problems, source="csv")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", [1, 40, 300])
def test_digest_parts_fit_and_hold_every_row(language: Language, n: int) -> None:
    """The longest bilingual digests: every part valid and ≤ 4096, every ticker once per
    language shown, each part with its title and disclaimer."""
    digest = longest_digest(n, issues=5)
    parts = th.digest_to_telegram(digest, language)
    shown = [assert_valid(part) for part in parts]
    for row in digest.rows:  # once in the table and once in the changes, per language
        assert sum(text.count(row.ticker) for text in shown) == 2 * len(languages(language))
    if n == 300:  # packed up to the limit, never over it
        assert len(parts) > 1
        assert max(th.html_length(part) for part in parts) > th.MAX_MESSAGE - 300
    for part in parts:
        assert part.startswith("<b>") and part.count("<pre>") == part.count("</pre>")


def test_digest_table_is_fixed_width() -> None:
    part = th.digest_to_telegram(longest_digest(3), "en")[0]
    assert "<pre>" in part and "LONG.TICKER0000" in part.split("<pre>")[1]


def alert_changes(n: int, ticker: str = "IWM") -> list[RegimeChange]:
    return [
        RegimeChange(
            previous=Regime.NEUTRAL,
            card=make_card(ticker=ticker if i == 0 else f"T{i:03d}", catalog=False),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", [1, 200])
def test_alert_parts(language: Language, n: int) -> None:
    parts = th.alert_to_telegram(alert_changes(n, "<&_>"), date(2026, 6, 8), language, source="csv")
    shown = [assert_valid(part) for part in parts]
    assert "<&_>" in shown[0]
    assert (len(parts) > 1) == (n == 200)


def test_a_line_longer_than_a_message_is_cut_between_words() -> None:
    words = " ".join(f"w{i:05d}" for i in range(2000))  # 14,000 characters
    parts = th.split([th.line(words, "b"), th.Line((th.Span(words),), pre=True)])
    texts = [assert_valid(part) for part in parts]
    assert len(parts) >= 4
    for text in texts:
        assert all(len(w) == 6 for w in text.split())  # never mid-word
    assert " ".join(" ".join(t.split()) for t in texts) == f"{words} {words}"


def test_plain_text_and_blank_lines() -> None:
    assert th.split(th.plain("\n\na <b>\n\n")) == ["a &lt;b&gt;"]
    assert th.split([th.BLANK, th.BLANK]) == []
