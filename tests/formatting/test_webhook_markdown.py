"""WeCom and DingTalk Markdown and Feishu cards: parts that stand alone, limits, escaping, colours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formatting.feishu_card import (
    MAX_BODY_BYTES,
    body_bytes,
    card_to_feishu,
    digest_to_feishu,
    escape_lark_md,
)
from formatting.i18n import t
from formatting.webhook_markdown import (
    DINGTALK,
    WECOM,
    card_markdown,
    digest_parts,
    escape_dingtalk,
    escape_wecom,
    utf8_len,
)
from tests.bot.webhooks.cn_support import watchlist
from tests.formatting.conftest import make_card

ODD = ["<@all>", "@all", "*X*", "_X_", "`X`", "[X](http://e.x)", "<at id=all></at>", "# X", "> X"]


@given(st.text(max_size=60))
def test_escaped_text_has_no_raw_markup(text: str) -> None:
    """After escaping, no tag opens, and every markdown character is escaped."""
    for escape in (escape_wecom, escape_dingtalk):
        out = escape(text)
        assert "<" not in out and ">" not in out
        bare = re.sub(r"\\.", "", out)
        assert not set(bare) & set("\\`*_~[]")
        assert not re.search(r"^\s*(#|[+-]\s)", bare, re.MULTILINE)
    lark = re.sub(r"&#\d+;", "", escape_lark_md(text))
    assert not set(lark) & set("<>*_~`[]\\&")


def lark_md(obj: Any) -> Iterator[str]:
    """The content of every ``lark_md`` text of a card."""
    if isinstance(obj, dict):
        if obj.get("tag") == "lark_md":
            yield obj["content"]
        for value in obj.values():
            yield from lark_md(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from lark_md(value)


@pytest.mark.parametrize("ticker", ODD)
def test_odd_tickers_are_shown_literally(ticker: str) -> None:
    """A ticker shaped like markup or a mention is escaped in every dialect."""
    card = make_card(ticker=ticker, catalog=False)
    for d in (WECOM, DINGTALK):
        text = card_markdown(d, card, "both")
        assert "<@" not in text and "<at" not in text and "[X](" not in text
        assert not any(line.lstrip().startswith(("#", ">")) for line in text.split("\n"))
        assert all(line.count("**") % 2 == 0 for line in text.split("\n"))
        if ticker.strip("*_`") != ticker:
            assert ticker not in text
    assert "@all" not in card_markdown(DINGTALK, card, "zh")
    feishu = "\n".join(lark_md(card_to_feishu(card, "zh")))  # plain_text shows markup as is
    assert "<at" not in feishu and "[X](" not in feishu and f"**{ticker}" not in feishu


@pytest.mark.parametrize("language", ["en", "zh", "both", "both-hant"])
@pytest.mark.parametrize("dialect", [WECOM, DINGTALK], ids=["wecom", "dingtalk"])
def test_every_part_stands_alone_and_every_line_is_once(dialect: object, language: str) -> None:
    """Each part has its title with "(part i of n)", the as-of line and the disclaimer; every
    ticker appears once per language shown, across all parts; each part within the byte limit."""
    from formatting.webhook_markdown import Dialect

    assert isinstance(dialect, Dialect)
    digest = watchlist(60)
    parts = digest_parts(dialect, digest, language)  # type: ignore[arg-type]
    shown = 2 if language.startswith("both") else 1
    for i, part in enumerate(parts, start=1):
        assert utf8_len(part) <= dialect.max_bytes
        if len(parts) > 1:
            assert (
                t("digest.part", "en" if language != "zh" else "zh", part=i, total=len(parts))
                in part
            )
        assert part.count("ETF") >= shown  # title and disclaimer name it in every language
    joined = "".join(parts)
    for row in digest.rows:
        assert joined.count(f"**{dialect.escape(row.ticker)}**") == shown


def test_wecom_parts_end_at_line_boundaries() -> None:
    """A split never cuts a line: every line of a part is a whole line of the digest."""
    parts = digest_parts(WECOM, watchlist(60), "zh")
    assert len(parts) > 1
    for part in parts:
        assert part.count("<font") == part.count("</font>")
        assert all(line.count("**") % 2 == 0 for line in part.split("\n"))


def test_red_up_for_chinese_green_up_for_english() -> None:
    """A fall is green (WeCom ``info``) for a Chinese target and red (``warning``) for English,
    unless the target chose its colours."""
    falling = watchlist(3, changes=0)  # the rows' 1D returns are negative
    assert '<font color="info">-3.55%</font>' in digest_parts(WECOM, falling, "zh")[0]
    assert '<font color="warning">-3.55%</font>' in digest_parts(WECOM, falling, "en")[0]
    chosen = digest_parts(WECOM, falling, "zh", "green-up")[0]
    assert '<font color="warning">-3.55%</font>' in chosen
    assert '<font color="#2e7d32">-3.55%</font>' in digest_parts(DINGTALK, falling, "zh")[0]


def test_feishu_bilingual_card_follows_the_readers_client_language() -> None:
    """``both`` (a target's ``auto``): i18n_elements and a header i18n for en_us and each Chinese
    locale, so each reader sees their own client's language; one language: plain elements."""
    bodies = digest_to_feishu(watchlist(5), "both")
    card = bodies[0]["card"]
    assert set(card["i18n_elements"]) == {"en_us", "zh_cn", "zh_tw", "zh_hk"}
    title = card["header"]["title"]["i18n"]
    assert "digest" in title["en_us"] and "日报" in title["zh_cn"]
    hant = digest_to_feishu(watchlist(5), "both-hant")[0]["card"]["header"]["title"]["i18n"]
    assert "日報" in hant["zh_tw"] and "日報" in hant["zh_hk"]
    single = digest_to_feishu(watchlist(5), "zh")[0]["card"]
    assert "elements" in single and "i18n_elements" not in single
    assert single["header"]["template"] in ("red", "green", "grey")


def test_feishu_long_digest_is_split_within_twenty_kilobytes() -> None:
    """A 60-ticker bilingual digest: several cards, each within 20 KB with room to sign."""
    bodies = digest_to_feishu(watchlist(60), "both")
    assert len(bodies) > 1
    assert all(body_bytes(b) + 160 <= MAX_BODY_BYTES for b in bodies)
