"""Renderers: Discord embeds, Slack blocks and the terminal, within limits and escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len
from slack_sdk.models.blocks import Block

from formatting import blocks as sb
from formatting import embeds as de
from formatting.card import LANGUAGES, Card, Language, languages
from formatting.i18n import t
from formatting.languages import CHINESE
from formatting.terminal import card_to_terminal, render_plain
from formatting.text import card_text
from tests.formatting.conftest import NON_CATALOG, CardFactory
from tests.support import json_strings

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ODD_TICKERS = [
    "<!here>",
    "<!channel>",
    "@everyone",
    "@here",
    "*X*",
    "_X_",
    "`X`",
    "<@12345678901234567>",
]


def joined(obj: Any) -> str:
    """All strings of a payload in document order, one per line."""
    return "\n".join(json_strings(obj))


def mrkdwn_texts(obj: Any) -> Iterator[str]:
    """The text of every mrkdwn text object inside Slack blocks."""
    if isinstance(obj, dict):
        if obj.get("type") == "mrkdwn":
            yield obj["text"]
        for value in obj.values():
            yield from mrkdwn_texts(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from mrkdwn_texts(value)


def discord_total(payload: dict[str, Any]) -> int:
    """Characters Discord counts across all embeds, computed independently of the renderer."""
    total = 0
    for e in payload["embeds"]:
        total += len(e.get("title", "")) + len(e.get("description", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
        total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    return total


def assert_discord_limits(payload: dict[str, Any]) -> None:
    """Every Discord embed limit holds."""
    assert payload["allowed_mentions"] == {"parse": []}
    assert 1 <= len(payload["embeds"]) <= 10
    assert discord_total(payload) <= 6000
    for e in payload["embeds"]:
        assert len(e["title"]) <= 256
        assert len(e["description"]) <= 4096
        assert len(e["fields"]) <= 25
        assert all(0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024 for f in e["fields"])
        assert all(set(f) == {"name", "value", "inline"} for f in e["fields"])
        assert len(e["footer"]["text"]) <= 2048
        assert len(e["author"]["name"]) <= 256


def assert_slack_limits(body: dict[str, Any]) -> None:
    """Every Block Kit limit holds and each block survives slack_sdk's parser."""
    assert body["unfurl_links"] is False
    assert 0 < len(body["text"]) <= sb.MAX_FALLBACK_TEXT
    assert len(body["blocks"]) <= 50
    for block in body["blocks"]:
        assert Block.parse(block).to_dict() == block
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
    text = joined(body)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<@"):
        assert forbidden not in text


# ---- the matrix: every regime x language x (longest catalog fund, non-catalog ticker)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_discord_limits_and_languages(any_card: Card, lang: Language) -> None:
    """Discord payloads respect every limit and show each language's label, English first."""
    payload = de.card_to_discord(any_card, lang, image="attachment://chart.png")
    assert_discord_limits(payload)
    embeds = payload["embeds"]
    assert embeds[0]["image"] == {"url": "attachment://chart.png"}
    shown = languages(lang)
    assert len(embeds) == len(shown)
    for embed, lg in zip(embeds, shown, strict=True):
        assert t(f"regime.{any_card.signal.regime.value}.label", lg) in embed["description"]
        assert card_text(any_card, lg).paragraph in embed["description"]
        assert embed["footer"]["text"] == t("card.footer", lg)
        assert t("card.scope", lg) in joined(embed)
        assert bool(CJK.search(joined(embed))) == (lg in CHINESE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_slack_limits_and_languages(any_card: Card, lang: Language) -> None:
    """Slack bodies respect Block Kit limits, parse back, and put English first."""
    body = sb.card_to_slack(any_card, lang, channel="C123", image_url="https://e.x/c.png")
    assert_slack_limits(body)
    assert body["channel"] == "C123"
    assert sum(b["type"] == "image" for b in body["blocks"]) == 1
    headers = [b["text"]["text"] for b in body["blocks"] if b["type"] == "header"]
    text = joined(body)
    shown = languages(lang)
    for lg in shown:
        assert sb.escape_mrkdwn(card_text(any_card, lg).paragraph) in text
    if lang == "en":
        assert not CJK.search(text)
    else:
        assert t(f"regime.{any_card.signal.regime.value}.label", shown[-1]) in text
        assert CJK.search(headers[-1])
    if len(shown) == 2:
        assert len(headers) == 2
        assert not CJK.search(headers[0])
        assert text.index(t("card.footer", "en")) < text.index(t("card.footer", shown[1]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_terminal_languages(any_card: Card, lang: Language) -> None:
    """Terminal cards fit the width, carry scope and footer, and keep languages apart."""
    out = render_plain(card_to_terminal(any_card, lang), width=80)
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    flat = re.sub(r"[\s│]+", "", out)  # undo wrapping and borders
    shown = languages(lang)
    for lg in shown:
        assert re.sub(r"\s+", "", t("card.footer", lg)) in flat
        assert re.sub(r"\s+", "", t("card.scope", lg)) in flat
        assert re.sub(r"\s+", "", card_text(any_card, lg).paragraph) in flat
    assert bool(CJK.search(out)) == (lang != "en")
    if len(shown) == 2:
        assert out.index(t("card.kicker", "en")) < out.index(t("card.kicker", shown[1]))


def test_every_catalog_fund_fits(card_factory: CardFactory) -> None:
    """Every catalog fund renders bilingually within Discord and Slack limits."""
    from signals.funds import FUNDS

    for ticker in FUNDS:
        card = card_factory(ticker=ticker)
        assert_discord_limits(de.card_to_discord(card, "both"))
        assert_slack_limits(sb.card_to_slack(card, "both"))


# ---- the worked example


WORKED_EN = [
    "$281.65", "-3.55%", "-2.33%", "-0.22%", "defensive impulse", "IWM tracks Russell 2000",
    "short-term momentum is weak, but not yet a slower risk-off regime signal.",
    "Scope: price momentum only; it does not measure fund flows, holdings quality, or company "
    "fundamentals, and it is not a buy/sell recommendation.",
    "Generated from ETF price-momentum data; for information only; not investment advice.",
    "Data as of June 8, 2026 close",
    "IWM momentum: defensive impulse",
    "On June 8, 2026, the iShares Russell 2000 ETF (IWM) closed at $281.65, down 3.55% on the "
    "day, 2.33% over five sessions and 0.22% over one month; its short-term momentum signal is "
    "a defensive impulse.",
]  # fmt: skip
#: SIGNALS.md's worked example and "The signal paragraph", byte for byte.
WORKED_ZH = [
    "$281.65", "-3.55%", "-2.33%", "-0.22%", "防御动能", "IWM追踪罗素2000",
    "短线价格动量偏弱，但尚未达到较长周期的风险规避信号。",
    "说明：本信号仅反映价格动量，不衡量资金流向、持仓质量或公司基本面，也不构成买卖建议。",
    "本内容根据ETF价格动量数据生成，仅供参考，不构成投资建议。",
    "数据截至2026年6月8日收盘",
    "IWM动量信号：防御动能",
    "2026年6月8日，iShares Russell 2000 ETF（IWM）收于281.65美元，单日下跌3.55%，"
    "5个交易日累计下跌2.33%，近一个月累计下跌0.22%，短线动量信号为防御动能。",
]  # fmt: skip
WORKED_ZH_HANT = [
    "$281.65", "-3.55%", "-2.33%", "-0.22%", "防禦動能", "IWM追蹤羅素2000",
    "短線價格動能偏弱，但尚未達到較長週期的風險規避訊號。",
    "說明：本訊號僅反映價格動能，不衡量資金流向、持股品質或公司基本面，也不構成買賣建議。",
    "本內容根據ETF價格動能資料產生，僅供參考，不構成投資建議。",
    "資料截至2026年6月8日收盤",
    "IWM動能訊號：防禦動能",
    "2026年6月8日，iShares Russell 2000 ETF（IWM）收於281.65美元，單日下跌3.55%，"
    "5個交易日累計下跌2.33%，近一個月累計下跌0.22%，短線動能訊號為防禦動能。",
]  # fmt: skip
#: Hong Kong's words (動量, 信號, 收市, 數據, 收報) over the Taiwan text; the impulse label
#: keeps 動能 (docs/glossary.md).
WORKED_ZH_HK = [
    "$281.65", "-3.55%", "-2.33%", "-0.22%", "防禦動能", "IWM追蹤羅素2000",
    "短線價格動量偏弱，但尚未達到較長週期的風險規避信號。",
    "說明：本信號僅反映價格動量，不衡量資金流向、持股質素或公司基本面，也不構成買賣建議。",
    "本內容根據ETF價格動量數據產生，僅供參考，不構成投資建議。",
    "數據截至2026年6月8日收市",
    "IWM動量信號：防禦動能",
    "2026年6月8日，iShares Russell 2000 ETF（IWM）收報281.65美元，單日下跌3.55%，"
    "5個交易日累計下跌2.33%，近一個月累計下跌0.22%，短線動量信號為防禦動能。",
]  # fmt: skip
WORKED = {"en": WORKED_EN, "zh": WORKED_ZH, "zh-hant": WORKED_ZH_HANT, "zh-hk": WORKED_ZH_HK}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_worked_example_in_every_renderer(worked_card: Card, lang: Language) -> None:
    """IWM on 2026-06-08 shows the contract's numbers, labels and sentences everywhere."""
    expected = [piece for lg in languages(lang) for piece in WORKED[lg]]
    discord = joined(de.card_to_discord(worked_card, lang))
    slack = joined(sb.card_to_slack(worked_card, lang))
    terminal = render_plain(card_to_terminal(worked_card, lang), width=400)
    for rendered in (discord, slack, terminal):
        for piece in expected:
            assert piece in rendered, piece


def test_worked_example_text(worked_card: Card) -> None:
    """CardText holds each line separately."""
    zh = card_text(worked_card, "zh")
    assert zh.title == "IWM动量信号：防御动能"
    assert zh.numbers == (
        ("收盘价", "$281.65"),
        ("单日", "-3.55%"),
        ("5日", "-2.33%"),
        ("1个月", "-0.22%"),
    )
    assert zh.meaning == "含义：短线价格动量偏弱，但尚未达到较长周期的风险规避信号。"
    assert zh.paragraph == WORKED_ZH[-1]
    assert card_text(worked_card, "en").paragraph == WORKED_EN[-1]
    assert card_text(worked_card, "zh-hant").paragraph == WORKED_ZH_HANT[-1]
    assert zh.fund_name == "iShares Russell 2000 ETF"
    assert zh.stale is None
    assert zh.tone == -1


# ---- variants


@pytest.mark.parametrize("ticker", [NON_CATALOG, "AAPL"])
def test_non_catalog_ticker_gets_a_full_card(card_factory: CardFactory, ticker: str) -> None:
    """A ticker outside the catalog keeps title, numbers, scope and footer, minus catalog lines."""
    text = card_text(card_factory(ticker=ticker, catalog=False), "en")
    assert text.title == f"{ticker} momentum: defensive impulse"
    assert text.paragraph.startswith(f"On June 8, 2026, {ticker} closed at $281.65, down 3.55%")
    assert (text.tracks, text.fund_name, text.context, text.watch) == (None, None, None, None)
    assert text.numbers[0] == ("Close", "$281.65")
    assert (
        card_text(card_factory(ticker=ticker, catalog=False), "zh").title
        == f"{ticker}动量信号：防御动能"
    )
    payload = de.card_to_discord(card_factory(ticker=ticker, catalog=False), "en")
    names = [f["name"] for f in payload["embeds"][0]["fields"]]
    assert "Market context" not in names
    assert t("card.scope", "en") in joined(payload)


def test_stale_note(card_factory: CardFactory) -> None:
    """A card whose data ends before the session asked about says so; a fresh one does not."""
    stale = card_text(card_factory(stale_days=1), "en")
    assert stale.stale == "Latest close available: June 8, 2026 (1 session ago)."
    assert "Latest close available" in joined(de.card_to_discord(card_factory(stale_days=1), "en"))
    assert "Latest close available" not in joined(de.card_to_discord(card_factory(), "en"))
    zh = card_text(card_factory(stale_days=1), "zh")
    assert zh.stale == "最新可用收盘价为2026年6月8日（1个交易日前）。"


def test_colour_follows_tone(card_factory: CardFactory) -> None:
    """Defensive regimes are red-ish, neutral grey, constructive green-ish."""
    from signals.regimes import Regime

    def rgb(regime: Regime) -> tuple[int, int, int]:
        c = de.card_to_discord(card_factory(regime=regime), "en")["embeds"][0]["color"]
        return c >> 16, (c >> 8) & 0xFF, c & 0xFF

    r, g, _ = rgb(Regime.RISK_OFF_REGIME)
    assert r > g + 60
    r, g, b = rgb(Regime.NEUTRAL)
    assert max(r, g, b) - min(r, g, b) < 30
    r, g, _ = rgb(Regime.RISK_ON_REGIME)
    assert g > r + 60


@pytest.mark.parametrize("ticker", ODD_TICKERS)
def test_markup_in_tickers_is_escaped(card_factory: CardFactory, ticker: str) -> None:
    """Mentions and markdown in a user-typed ticker show literally on every platform."""
    card = card_factory(ticker=ticker, catalog=False)
    discord = joined(de.card_to_discord(card, "both"))
    assert de.escape(ticker) != ticker
    assert de.escape(ticker) in discord
    assert "@everyone" not in discord and "@here" not in discord
    slack = sb.card_to_slack(card, "both")
    assert_slack_limits(slack)
    everything = joined(slack)
    assert "<" not in everything and "@everyone" not in everything and "@here" not in everything
    mrkdwn = [slack["text"], *mrkdwn_texts(slack["blocks"])]
    assert not any(ticker in text for text in mrkdwn)
    assert ticker in render_plain(card_to_terminal(card, "en"), width=200)


def test_escape_helpers() -> None:
    """The escape helpers neutralise markdown, mentions and Slack control characters."""
    assert de.escape("*X* _y_ `z` ~w~ ||s||") == r"\*X\* \_y\_ \`z\` \~w\~ \|\|s\|\|"
    assert de.escape("@everyone") == "@\u200beveryone"
    assert de.escape("> quote\n# head\n- item") == "\\> quote\n\\# head\n\\- item"
    assert de.escape("BRK-B -3.55%") == "BRK-B -3.55%"
    assert sb.escape_text("S&P <!here> >") == "S&amp;P &lt;!here&gt; &gt;"
    assert "*X*" not in sb.escape_mrkdwn("*X*")
    assert de.clip("abc\\*d", 5) == "abc…"
    assert sb.clip("a &amp; b", 5) == "a …"


def test_limits_enforced_for_huge_input(card_factory: CardFactory) -> None:
    """A pathological ticker is clipped, never breaking a platform limit."""
    card = card_factory(ticker="*" * 5000, catalog=False)
    assert_discord_limits(de.card_to_discord(card, "both"))
    assert_slack_limits(sb.card_to_slack(card, "both"))


def test_fit_embeds_keeps_scope_and_footer(worked_card: Card) -> None:
    """Shrinking to a small budget drops context first and keeps the disclaimer."""
    embeds = de.card_to_discord(worked_card, "both")["embeds"]
    before = sum(de.embed_chars(e) for e in embeds)
    for e in embeds:
        for f in e["fields"]:
            f["optional"] = f["name"] in ("Market context", "市场背景")
    de.fit_embeds(embeds, budget=before - 150)
    assert sum(de.embed_chars(e) for e in embeds) <= before - 150
    assert "Market context" not in joined(embeds)
    assert t("card.footer", "zh") in joined(embeds)


@pytest.mark.parametrize(
    ("currency", "en", "zh"),
    [
        ("HKD", "HK$281.65", "HK$281.65"),
        ("GBp", "281.65p", "281.65便士"),
        ("JPY", "¥281.65", "¥281.65"),
    ],
)
def test_price_in_the_funds_currency_everywhere(
    card_factory: CardFactory, currency: str, en: str, zh: str
) -> None:
    """A card priced in HKD, pence or yen shows that currency in every renderer and language,
    and never a dollar sign."""
    card = card_factory(ticker="0700.HK", catalog=False, currency=currency)
    for lang, expected in (("en", (en,)), ("zh", (zh,)), ("both", (en, zh))):
        discord = joined(de.card_to_discord(card, lang))
        slack = joined(sb.card_to_slack(card, lang))
        terminal = render_plain(card_to_terminal(card, lang), width=400)
        for rendered in (discord, slack, terminal):
            for piece in expected:
                assert piece in rendered, (lang, piece)
            assert "$281.65" not in rendered.replace("HK$281.65", ""), lang
