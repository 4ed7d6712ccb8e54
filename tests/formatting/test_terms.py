"""The glossary's terms, checked over the catalogs (docs/glossary.md, issue 22).

* One name for the regime concept per script: 动量状态 (Simplified), 動能狀態 (Traditional).
  The labels SIGNALS.md fixes (风险规避态势, 风险偏好态势 …) are labels, not the concept: they are
  taken out of a text before it is checked, so 态势 may appear inside them and nowhere else.
"""

from __future__ import annotations

import re

import pytest

from formatting.i18n import Lang, keys, text
from formatting.text import signal_paragraph
from signals.asset_classes import ASSET_CLASSES
from signals.funds import FUNDS
from signals.regimes import Regime
from tests.formatting.conftest import make_card

CHINESE: tuple[Lang, ...] = ("zh", "zh-hant")
#: The regime concept's one name per script (Hong Kong: 動量狀態).
REGIME_TERM: dict[Lang, str] = {"zh": "动量状态", "zh-hant": "動能狀態", "zh-hk": "動量狀態"}
#: 状态 alone (the concept without 动量 / 動能) and the other names a regime has had.
STRAY_REGIME: dict[Lang, re.Pattern[str]] = {
    "zh": re.compile(r"(?<!动量)状态|态势|動能狀態"),
    "zh-hant": re.compile(r"(?<!動能)狀態|態勢|动量状态"),
    "zh-hk": re.compile(r"(?<!動量)狀態|態勢|動能狀態"),
}
#: English label phrases that contain the word "regime" but name a label, not the concept.
_EN_LABELS = re.compile(r"risk-(?:off|on) regime")
#: Keys whose English says "status" (a command's name), not the regime.
_NOT_REGIME = re.compile(r"\bstatus\b", re.IGNORECASE)


def regime_labels(lang: Lang) -> list[str]:
    """Every display label and phrase of a regime in ``lang``, longest first."""
    found = {
        text(key, lang)
        for key in keys(lang)
        if key.startswith("regime.") and key.rsplit(".", 1)[-1].endswith(("label", "phrase"))
    }
    return sorted(found, key=len, reverse=True)


def without_labels(body: str, lang: Lang) -> str:
    """``body`` with every regime label taken out (labels may use 态势; the concept may not)."""
    for label in regime_labels(lang):
        body = body.replace(label, "〇")
    return body


def names_the_regime(key: str) -> bool:
    """True when the English text of ``key`` names the regime concept (not just a label)."""
    return bool(re.search(r"\bregimes?\b", _EN_LABELS.sub("", text(key, "en")), re.IGNORECASE))


@pytest.mark.parametrize("lang", [*CHINESE, "zh-hk"])
def test_one_regime_term_per_script(lang: Lang) -> None:
    """Outside the labels, no 态势, no 状态 alone and no other script's term, in any entry."""
    stray = {
        key: text(key, lang)
        for key in sorted(keys(lang))
        if not _NOT_REGIME.search(text(key, "en"))
        and STRAY_REGIME[lang].search(without_labels(text(key, lang), lang))
    }
    assert stray == {}


@pytest.mark.parametrize("lang", [*CHINESE, "zh-hk"])
def test_every_mention_of_the_regime_uses_the_term(lang: Lang) -> None:
    """Where English names the regime, Chinese says 动量状态 / 動能狀態 (not 信号, not 状态)."""
    missing = {
        key: text(key, lang)
        for key in sorted(keys(lang))
        if not key.startswith("regime.")
        and names_the_regime(key)
        and REGIME_TERM[lang] not in text(key, lang)
    }
    assert missing == {}


@pytest.mark.parametrize("lang", [*CHINESE, "zh-hk"])
def test_regime_headings_are_the_term_exactly(lang: Lang) -> None:
    """Every "Regime" column or field heading is the term itself, never 信号 / 訊號."""
    headings = [key for key in keys("en") if text(key, "en") == "Regime"]
    assert headings
    assert {text(key, lang) for key in headings} == {REGIME_TERM[lang]}


def test_the_check_sees_what_it_should() -> None:
    """The checker flags the old names and lets the SIGNALS.md labels through."""
    assert STRAY_REGIME["zh"].search("当前状态：")
    assert STRAY_REGIME["zh"].search("市场态势")
    assert not STRAY_REGIME["zh"].search(without_labels("风险规避态势", "zh"))
    assert not STRAY_REGIME["zh-hant"].search(without_labels("風險偏好態勢", "zh-hant"))
    assert STRAY_REGIME["zh-hant"].search("動量狀態")
    assert names_the_regime("card.regime") and not names_the_regime("regime.risk_on_regime.label")
    assert len(regime_labels("zh")) >= len(Regime)


# ---- the signal paragraph's "short-term" (SIGNALS.md, "The signal paragraph")

#: How each language says "short-term" in the paragraph.
SHORT_TERM: dict[Lang, str] = {"en": "short-term", "zh": "短线", "zh-hant": "短線"}
#: How the paragraph ends when the fast score is flat (phrase filled in after).
FLAT_ENDING: dict[Lang, str] = {
    "en": "; its momentum signal is {phrase}.",
    "zh": "，动量信号为{phrase}。",
    "zh-hant": "，動能訊號為{phrase}。",
}
FLAT_FAST = {Regime.DOWNTREND, Regime.NEUTRAL, Regime.UPTREND}


@pytest.mark.parametrize("catalog", [True, False], ids=["fund", "ticker"])
@pytest.mark.parametrize("regime", list(Regime), ids=str)
@pytest.mark.parametrize("lang", ["en", *CHINESE])
def test_paragraph_says_short_term_only_when_the_fast_score_moved(
    lang: Lang, regime: Regime, catalog: bool
) -> None:
    """Top and bottom rows of the regime table say short-term; the middle row does not."""
    card = make_card(regime=regime, catalog=catalog)
    paragraph = signal_paragraph(card, lang)
    phrase = text(f"regime.{regime.value}.phrase", lang)
    if regime in FLAT_FAST:
        assert SHORT_TERM[lang] not in paragraph
        assert paragraph.endswith(FLAT_ENDING[lang].format(phrase=phrase))
    else:
        assert SHORT_TERM[lang] in paragraph
        assert paragraph.endswith(phrase + ("." if lang == "en" else "。"))


def test_downtrend_paragraph_reads_as_signals_md_says() -> None:
    """SIGNALS.md's own wording for the middle row, in every language."""
    card = make_card(regime=Regime.DOWNTREND)
    assert signal_paragraph(card, "en").endswith("; its momentum signal is a downtrend.")
    assert signal_paragraph(card, "zh").endswith("，动量信号为下行趋势。")
    assert signal_paragraph(card, "zh-hant").endswith("，動能訊號為下行趨勢。")


# ---- Traditional as a Taiwan desk writes it (issue 22)

#: Mainland (or converted) words, and what Taiwan writes: 動能, 大型股 / 中小型股 (大盤 is the
#: index there), 公債, 已開發市場, 產業, 非投資等級債, 指令 (Discord zh-TW), 工作空間 (Slack zh-TW).
NOT_TAIWAN = re.compile(
    r"動量|大盤股|小盤|中盤|(?<![美中])國債|發達市場|行業|高收益債|命令|工作區|服務器|默認|質量"
)


def traditional_fund_texts() -> dict[str, str]:
    """Every Traditional text of the fund catalog except the managers' own fund names (proper
    names, written as each issuer writes them)."""
    out = {}
    for fund in FUNDS.values():
        out[f"{fund.ticker} tracks"] = fund.tracks.zh_hant
    for asset_class, info in ASSET_CLASSES.items():
        for part in ("name", "context", "watch"):
            out[f"{asset_class} {part}"] = getattr(info, part).zh_hant
    return out


def test_traditional_catalog_uses_taiwan_terms() -> None:
    """No 動量, 大盤股, 國債, 發達市場, 行業, 命令, 工作區 … in any zh_Hant entry."""
    found = {
        key: text(key, "zh-hant")
        for key in sorted(keys("zh-hant"))
        if NOT_TAIWAN.search(text(key, "zh-hant"))
    }
    assert found == {}


def test_traditional_fund_texts_use_taiwan_terms() -> None:
    """The same list over what each fund tracks and every asset-class text."""
    found = {key: body for key, body in traditional_fund_texts().items() if NOT_TAIWAN.search(body)}
    assert found == {}


def test_taiwan_list_catches_the_converted_words() -> None:
    """The list flags OpenCC's mainland words and lets Taiwan's (and 美國債券) through."""
    for mainland in ("價格動量", "美國大盤股", "美國國債", "國際發達市場", "行業基金", "未知命令"):
        assert NOT_TAIWAN.search(mainland), mainland
    for taiwan in ("價格動能", "美國大型股", "美國公債", "美國債券", "已開發市場", "產業", "指令"):
        assert not NOT_TAIWAN.search(taiwan), taiwan


# ---- the smaller things a desk fixes (issue 22)

#: Calques and second names a desk strikes: 更慢周期 (较长周期), 窗口 for a look-back period,
#: 快速/慢速得分, 价格数据源 beside 价格来源, and the old "not a forecast" wording.
STRUCK: dict[Lang, re.Pattern[str]] = {
    "zh": re.compile("更慢|窗口|快速得分|慢速得分|价格数据源|以上描述的是过去的表现"),
    "zh-hant": re.compile("更慢|視窗|窗口|快速得分|慢速得分|價格資料來源|以上描述的是過去的表現"),
}


@pytest.mark.parametrize("lang", CHINESE)
def test_no_calques_and_one_name_for_the_price_source(lang: Lang) -> None:
    """较长周期, 近5日, 短线得分, one 价格来源 / 價格來源, 历史统计 … in every entry."""
    found = {
        key: text(key, lang) for key in sorted(keys(lang)) if STRUCK[lang].search(text(key, lang))
    }
    assert found == {}
    assert text("track.not_forecast", lang).startswith(("以上为历史统计", "以上為歷史統計"))


def test_traditional_examples_name_taipei() -> None:
    """A Taiwan reader's time-zone example is Asia/Taipei, not Asia/Shanghai."""
    for key in sorted(keys("zh-hant")):
        assert "Asia/Shanghai" not in text(key, "zh-hant"), key
    assert "Asia/Taipei" in text("help.option.timezone", "zh-hant")
