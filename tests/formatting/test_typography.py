"""Chinese as an editor writes it, and no language leaking into another.

The typographic rule (docs/glossary.md, :mod:`tests.formatting.typography`) is checked over every
Chinese catalog entry and over rendered cards, digests, help and about texts in every Chinese
language; English-only output carries no Chinese; Traditional output carries no character that
exists only in Simplified (OpenCC's ``s2t`` would change it).
"""

from __future__ import annotations

import asyncio
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from opencc import OpenCC

from commands.context import Request, Services
from commands.registry import handle_about, handle_help
from formatting import blocks as sb
from formatting import embeds as de
from formatting.card import Card
from formatting.digest import Digest, DigestIssue, build_digest, heatmap_specs
from formatting.digest_render import digest_to_discord, digest_to_slack, digest_to_text
from formatting.i18n import Lang, keys, text
from formatting.languages import CHINESE, LANGUAGES, Language, languages
from formatting.messages import message_text
from formatting.terminal import card_to_terminal, render_plain
from signals.asset_classes import ASSET_CLASSES
from signals.calendar import MarketCalendar
from signals.funds import FUNDS
from signals.regimes import Regime
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.formatting import catalog_tools
from tests.formatting.conftest import make_card
from tests.formatting.typography import fix, violations
from tests.support import json_strings

NOW = datetime(2026, 6, 9, 12, tzinfo=UTC)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ZH_LANGS: list[Lang] = sorted(CHINESE)
#: Placeholder values as the bot fills them (Latin runs, numbers, dates written out).
SAMPLE = {
    "date": "2026年6月8日",
    "expected": "2026年6月9日",
    "as_of": "2026年6月8日",
    "latest": "2026年6月8日",
    "first": "1990年1月2日",
    "ticker": "IWM",
    "tickers": "SPY QQQ IWM",
    "closes": 12,
    "minutes": 5,
    "seconds": 7,
    "max": 20,
    "count": 3,
    "part": 1,
    "total": 2,
    "time": "16:30",
    "timezone": "Asia/Shanghai",
    "channel": "C0123ABCD",
    "value": "abc",
    "command": "/help",
    "usage": "/signal IWM",
    "error_id": "3f9a2c1b",
    "error": "channel_not_found",
    "reason": "channel_not_found",
    "source": "CSV",
    "close": "$281.65",
    "r_1d": "-3.55%",
    "r_5d": "-2.33%",
    "r_1m": "-0.22%",
    "pct": "3.55%",
    "amount": "281.65",
    "price": "281.65美元",
    "name": "iShares Russell 2000 ETF",
    "index": "罗素2000",
}


def filled(key: str, lang: Lang) -> str:
    """The entry with its placeholders filled (Chinese-valued ones get Chinese samples)."""
    template = text(key, lang)
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = {name: SAMPLE.get(name, "防御动能") for name in names}
    return template.format_map(values)


# ---- the checker itself


def test_rule_checker_flags_what_the_issue_lists() -> None:
    """Half-width punctuation and Han-Latin spaces are caught; Latin runs and padding are not."""
    assert violations("边界:这只是价格动量信号,不衡量")
    assert violations("标普500 ETF 信号")
    assert violations("TLT 追踪ICE美国")
    assert violations("（第1/2部分）") == []
    assert violations("IWM追踪罗素2000指数，收于281.65美元（S&P 500，3.55%，16:30）。") == []
    assert violations("IWM   $281.65  单日") == []  # table padding stays
    assert violations("iShares Russell 2000 ETF（IWM）") == []
    assert violations("日报 （第1部分）")  # a space before full-width punctuation
    assert fix("边界:这只是信号,不是建议(示例)") == "边界：这只是信号，不是建议（示例）"


# ---- every Chinese catalog entry


@pytest.mark.parametrize("lang", ZH_LANGS)
@pytest.mark.parametrize("key", sorted(keys("zh")))
def test_every_chinese_catalog_entry_follows_the_rule(key: str, lang: Lang) -> None:
    """Full-width ，。：；（）, no space between Han and Latin/digits, in both Chinese catalogs."""
    assert violations(filled(key, lang)) == []


@pytest.mark.parametrize("key", sorted(keys("zh-hant")))
def test_traditional_catalog_has_no_simplified_only_character(key: str) -> None:
    """No character of a Traditional entry is one OpenCC would still convert from Simplified."""
    assert simplified_only(text(key, "zh-hant")) == ""


def test_fund_catalog_has_traditional_text_following_the_rule() -> None:
    """Every Simplified fund and asset-class text has a Traditional twin; both follow the rule."""
    texts = [f.tracks for f in FUNDS.values()]
    for info in ASSET_CLASSES.values():
        texts += [info.name, info.context, info.watch]
    for bilingual in texts:
        assert violations(bilingual.zh) == [], bilingual.zh
        assert violations(bilingual.zh_hant) == [], bilingual.zh_hant
        assert simplified_only(bilingual.zh_hant) == "", bilingual.zh_hant
        assert not CJK.search(bilingual.en), bilingual.en
    assert FUNDS["GLD"].tracks.en == "LBMA Gold Price"  # index names in title case


def simplified_only(value: str) -> str:
    """The characters of ``value`` that exist only in Simplified Chinese."""
    return "".join(ch for ch in value if HAN.match(ch) and _S2T.convert(ch) != ch)


_S2T = OpenCC("s2t")


def test_leak_detector_catches_simplified() -> None:
    """The Traditional leak check flags Simplified text and passes Traditional."""
    assert simplified_only("价格来源：雅虎财经") == "价来财经"
    assert simplified_only("價格來源：雅虎財經") == ""


# ---- rendered output in every language


def cards() -> list[Card]:
    """The worked example, a non-catalog ticker, a stale card, every regime, up and flat moves."""
    out = [make_card(), make_card(ticker="ZZZZ", catalog=False), make_card(stale_days=1)]
    out += [make_card(regime=regime) for regime in Regime]
    out += [make_card(ticker="GLD", r_1d=0.004, r_5d=0.0, r_1m=0.021)]
    return out


def digest() -> Digest:
    """A digest with a regime change, a failed ticker and two catalog funds."""
    signals = [make_card(ticker=t, regime=r).signal for t, r in (("IWM", Regime.DEFENSIVE_IMPULSE),
                                                                ("SPY", Regime.NEUTRAL))]  # fmt: skip
    issue = DigestIssue(ticker="ZZZZ", key="error.no_data", params={"ticker": "ZZZZ"})
    return build_digest(
        date(2026, 6, 8),
        signals,
        previous={"IWM": Regime.NEUTRAL, "SPY": Regime.NEUTRAL},
        issues=[issue],
        source="demo",
    )


def strings(obj: Any) -> list[str]:
    """Every string inside a JSON-like value, but no type, url or channel."""
    return json_strings(obj, skip=("type", "url", "image_url", "channel"))


def about_and_help(lang: Language) -> list[str]:
    """/help and /about as each platform words them, rendered in ``lang``."""
    services = Services(prices=PriceService(CsvSource(Path(".")), MarketCalendar()))
    out = []
    for platform in ("discord", "slack", "terminal"):
        request = Request(command="help", platform=platform, language=lang, now=NOW)
        for handler in (handle_help, handle_about):
            reply = asyncio.run(handler(request, services))
            out += [message_text(m.key, m.params, lang) for m in reply.messages]
    return out


def rendered(lang: Language) -> list[str]:
    """Every text a reader of ``lang`` sees: cards and digests on each platform, help, about."""
    out: list[str] = []
    for card in cards():
        out += strings(de.card_to_discord(card, lang))
        out += strings(sb.card_to_slack(card, lang))
        out.append(render_plain(card_to_terminal(card, lang), width=1000))
    d = digest()
    for body in digest_to_discord(d, lang) + digest_to_slack(d, lang):
        out += strings(body)
    out.append(digest_to_text(d, lang))
    for spec in heatmap_specs(d, lang):
        out += [spec.title, *spec.column_labels, spec.regime_label, spec.legend]
        out += [row.regime for row in spec.rows]
    return out + about_and_help(lang)


def chinese_parts(value: str) -> list[str]:
    """The parts of a rendered text that are Chinese (bilingual output is English then Chinese)."""
    return [line for line in value.splitlines() if HAN.search(line)]


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_rendered_chinese_follows_the_rule(lang: Language) -> None:
    """Cards, digests, help and about, on every platform, in every setting that shows Chinese."""
    lines = [line for value in rendered(lang) for line in chinese_parts(value)]
    assert len(lines) > 200  # the check is not vacuous
    assert [(line, problem) for line in lines for problem in violations(line)] == []


@pytest.mark.parametrize("lang", ["zh-hant", "both-hant"])
def test_traditional_output_has_no_simplified_character(lang: Language) -> None:
    """A Traditional reader never sees a Simplified-only character anywhere."""
    leaks = {
        value[:60]: simplified_only(value) for value in rendered(lang) if simplified_only(value)
    }
    assert leaks == {}


@pytest.mark.parametrize("lang", ["zh", "both"])
def test_simplified_output_has_no_traditional_only_character(lang: Language) -> None:
    """A Simplified reader never sees Traditional text (the catalogs were not swapped)."""
    t2s = OpenCC("t2s")
    for value in rendered(lang):
        assert "".join(ch for ch in value if HAN.match(ch) and t2s.convert(ch) != ch) == ""


def test_english_output_has_no_chinese() -> None:
    """English-only cards, digests, help and about carry no CJK character or punctuation."""
    assert [value[:80] for value in rendered("en") if CJK.search(value)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_shown_appears_in_order(lang: Language) -> None:
    """Bilingual output is English first; a single language shows only its own words."""
    body = "\n".join(strings(de.card_to_discord(make_card(), lang)))
    shown = languages(lang)
    footers = [text("card.footer", lg) for lg in shown]
    assert [body.index(f) for f in footers] == sorted(body.index(f) for f in footers)
    for other in {"en", "zh", "zh-hant"} - set(shown):
        assert text("card.footer", other) not in body


# ---- snapshots of rendered text (the worked example, SIGNALS.md)

TERMINAL_ZH_HANT = """\
╭─ IWM ────────────────────────────────────────────────────────────────────────╮
│ ETF動能訊號                                                                  │
│ IWM動能訊號：防禦動能                                                        │
│ IWM追蹤羅素2000 · iShares Russell 2000 ETF                                   │
│ 防禦動能                                                                     │
│ 含義：短線價格動能偏弱，但尚未達到較長週期的風險規避訊號。                   │
│                                                                              │
│ 訊號詳情                                                                     │
│  收盤價     單日      5日    1個月                                           │
│ $281.65   -3.55%   -2.33%   -0.22%                                           │
│                                                                              │
│ 2026年6月8日，iShares Russell 2000 ETF（IWM）收於281.65美元，單日下跌3.55%， │
│ 5個交易日累計下跌2.33%，近一個月累計下跌0.22%，短線動能訊號為防禦動能。      │
│                                                                              │
│ 市場背景                                                                     │
│ IWM持有羅素2000指數約2,000家美國小型企業，該指數是衡量美國小型股的常用指標。 │
│ 中小型股對美國國內景氣和短期利率的敏感度高於大型股。                         │
│ 後續關注                                                                     │
│ 關注美國國內經濟數據，以及未來5個交易日的價格走勢。                          │
│                                                                              │
│ 解讀邊界                                                                     │
│ 說明：本訊號僅反映價格動能，不衡量資金流向、持股品質或公司基本面，也不構成買 │
│ 賣建議。本訊號也不代表對該基金長期投資價值的判斷。                           │
│ 資料截至2026年6月8日收盤 · 價格來源：雅虎財經。                              │
│ 本內容根據ETF價格動能資料產生，僅供參考，不構成投資建議。                    │
╰──────────────────────────────────────────────────────────────────────────────╯
"""


def test_terminal_snapshot_traditional() -> None:
    """The worked example in Traditional Chinese, exactly as the terminal prints it."""
    assert render_plain(card_to_terminal(make_card(), "zh-hant"), width=80) == TERMINAL_ZH_HANT


SLACK_PARAGRAPHS = {
    "en": "On June 8, 2026, the iShares Russell 2000 ETF (IWM) closed at $281.65, down 3.55% on "
    "the day, 2.33% over five sessions and 0.22% over one month; its short-term momentum "
    "signal is a defensive impulse.",
    "zh": "2026年6月8日，iShares Russell 2000 ETF（IWM）收于281.65美元，单日下跌3.55%，"
    "5个交易日累计下跌2.33%，近一个月累计下跌0.22%，短线动量信号为防御动能。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_slack_has_the_paragraph_as_its_own_section(lang: Lang) -> None:
    """Slack shows the worked example's sentence, exactly, as a section after the figures,
    under the seed's "signal details" heading."""
    blocks = sb.card_to_slack(make_card(), lang)["blocks"]
    sections = [b for b in blocks if b["type"] == "section" and "text" in b]
    heading = f"*{text('card.details', lang)}*\n"
    assert any(b["text"]["text"] == heading + SLACK_PARAGRAPHS[lang] for b in sections)
    discord = de.card_to_discord(make_card(), lang)["embeds"][0]["description"]
    assert discord.endswith(SLACK_PARAGRAPHS[lang].replace("_", "\\_"))


def test_paragraph_directions_and_zero() -> None:
    """Up moves say up/上涨, a change of direction is said again, zero is unchanged/持平."""
    card = make_card(ticker="ZZZZ", catalog=False, r_1d=0.004, r_5d=0.00004, r_1m=-0.01)
    from formatting.text import signal_paragraph

    assert signal_paragraph(card, "en") == (
        "On June 8, 2026, ZZZZ closed at $281.65, up 0.40% on the day, unchanged over five "
        "sessions and down 1.00% over one month; its short-term momentum signal is a defensive "
        "impulse."
    )
    assert signal_paragraph(card, "zh") == (
        "2026年6月8日，ZZZZ收于281.65美元，单日上涨0.40%，5个交易日累计持平，近一个月累计下跌"
        "1.00%，短线动量信号为防御动能。"
    )
    up = make_card(r_1d=0.01, r_5d=0.02, r_1m=0.03, regime=Regime.RISK_ON_REGIME)
    assert "up 1.00% on the day, 2.00% over five sessions and 3.00% over one month" in (
        signal_paragraph(up, "en")
    )
    assert "is a risk-on regime." in signal_paragraph(up, "en")


# ---- the maintainers' tooling


def test_no_simplified_key_lacks_a_traditional_entry() -> None:
    """``catalog_tools.missing()`` is empty: run it after a merge to list what needs Traditional."""
    assert catalog_tools.missing() == []
    assert catalog_tools.missing("zh-hant", "zh") == []


def test_catalog_tools_draft_and_edit(tmp_path: Path) -> None:
    """Drafts convert with s2twp and the project's fixes; set_msgstr edits one entry in place."""
    assert (
        catalog_tools.to_traditional("自选列表、代码、权限、回调") == "自選清單、代號、權限、回檔"
    )
    draft = catalog_tools.draft_traditional(["card.price"])
    assert 'msgid "card.price"\nmsgstr "收盤價"' in draft
    po = tmp_path / "x.po"
    po.write_text('msgid "a"\nmsgstr ""\n"long "\n"text"\n\nmsgid "b"\nmsgstr "keep"\n')
    catalog_tools.set_msgstr(po, "a", "新")
    assert po.read_text() == 'msgid "a"\nmsgstr "新"\n\nmsgid "b"\nmsgstr "keep"\n'
    with pytest.raises(KeyError):
        catalog_tools.set_msgstr(po, "c", "x")


def test_every_language_setting_names_itself() -> None:
    """Each setting has a display name in every catalog (the help lists them all)."""
    for lang in ("en", "zh", "zh-hant"):
        for choice in LANGUAGES:
            assert text(f"language.name.{choice}", lang)
        assert all(choice in text("help.option.choice", lang) for choice in LANGUAGES)
