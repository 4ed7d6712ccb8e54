"""Catalogs: all three languages complete and consistent, contract texts exact, no leaks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formatting import i18n
from formatting.i18n import LANGS, Term, keys, language_name, placeholders, t
from formatting.languages import CHINESE, LANGUAGES
from signals.funds import FUNDS
from signals.regimes import Regime

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

#: Keys other modules rely on, with the placeholders each must take.
REQUIRED: dict[str, set[str]] = {
    "card.title": {"ticker", "label"},
    "card.title_ticker": {"ticker", "label"},
    "card.kicker": set(),
    "card.tracks": {"ticker", "index"},
    "card.meaning": {"text"},
    "card.price": set(),
    "card.r_1d": set(),
    "card.r_5d": set(),
    "card.r_1m": set(),
    "card.regime": set(),
    "card.scope": set(),
    "card.context": set(),
    "card.watch": set(),
    "card.as_of": {"date"},
    "card.stale": {"expected", "as_of"},
    "card.source": {"source"},
    "card.footer": set(),
    "error.invalid_ticker": {"ticker"},
    "error.no_data": {"ticker"},
    "error.not_enough_history": {"ticker", "closes"},
    "error.source_unavailable": {"ticker"},
    "error.rate_limited": {"ticker", "minutes"},
    "error.unexpected": {"error_id"},
    "error.bad_date": {"value"},
    "error.future_date": {"date", "latest"},
    "error.too_many_tickers": {"max"},
    "error.missing_permission": set(),
    "error.cooldown": {"seconds"},
    "error.unknown_command": {"command"},
    "error.bad_language": {"value"},
    "help.title": set(),
    "help.signal": set(),
    "help.language": set(),
    "help.digest": set(),
    "help.help": set(),
    "help.about": set(),
    "about.title": set(),
    "about.method": set(),
    "about.data_source": {"source"},
    "language.current": {"language"},
    "language.set": {"language"},
    "language.name.en": set(),
    "language.name.zh": set(),
    "language.name.both": set(),
    "language.name.zh-hant": set(),
    "language.name.both-hant": set(),
    "card.signal": {"date", "name", "ticker", "price", "moves", "phrase"},
    "card.signal_ticker": {"date", "ticker", "price", "moves", "phrase"},
    "card.signal_flat": {"date", "name", "ticker", "price", "moves", "phrase"},
    "card.signal_ticker_flat": {"date", "ticker", "price", "moves", "phrase"},
    "chart.close": set(),
    "chart.window_5d": set(),
    "chart.window_1m": set(),
    "chart.title": {"ticker", "label"},
    "heatmap.title": {"date"},
}

#: SIGNALS.md regime table: id -> (English label, Chinese label).
CONTRACT_LABELS: dict[str, tuple[str, str]] = {
    "risk_off_regime": ("risk-off regime", "风险规避态势"),
    "defensive_impulse": ("defensive impulse", "防御动能"),
    "pullback": ("pullback in uptrend", "上升趋势中的回调"),
    "downtrend": ("downtrend", "下行趋势"),
    "neutral": ("neutral", "中性"),
    "uptrend": ("uptrend", "上升趋势"),
    "relief_bounce": ("relief bounce", "弱势反弹"),
    "risk_on_impulse": ("risk-on impulse", "进攻动能"),
    "risk_on_regime": ("risk-on regime", "风险偏好态势"),
}

#: Latin tokens allowed in Chinese text: tickers, brands, index families, option values.
ZH_ALLOWED_TOKENS = frozenset(
    {"ETF", "MSCI", "CRSP", "iBoxx", "WTI", "ICE", "REITs", "S&P", "Nasdaq", "FTSE", "USD"}
    | {"YYYY-MM-DD", "ID", "help", "green-up", "red-up", *LANGUAGES}
    | {"signalbot", "webhook", "Webhook", "JSON"}  # the product, its command, a platform term
    | set(FUNDS)
)
_PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'&.-]*(?:\s+[A-Za-z][A-Za-z'&.-]*)+")


def english_prose(text: str) -> list[str]:
    """Runs of two or more Latin words left after removing placeholders and allowed tokens
    (each stretch between Chinese characters is checked on its own)."""
    found = []
    for part in CJK.split(_PLACEHOLDER.sub(" ", text)):
        words = [w for w in re.split(r"(\s+)", part) if w.strip() not in ZH_ALLOWED_TOKENS]
        found += _LATIN_RUN.findall("".join(w if w.strip() else " " for w in words))
    return found


def all_keys() -> list[str]:
    """Every key of any catalog, sorted."""
    return sorted(keys("en") | keys("zh") | keys("zh-hant"))


@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_have_the_same_keys(lang: i18n.Lang) -> None:
    """English, Simplified and Traditional catalogs define exactly the same keys."""
    assert sorted(set(all_keys()) - keys(lang)) == []
    assert len(keys(lang)) >= len(REQUIRED) + 2 * len(Regime)


@pytest.mark.parametrize("key", all_keys())
def test_placeholders_identical_in_every_language(key: str) -> None:
    """Each key takes the same named placeholders in English, Simplified and Traditional."""
    assert placeholders(key, "en") == placeholders(key, "zh") == placeholders(key, "zh-hant")


@pytest.mark.parametrize(("key", "params"), sorted(REQUIRED.items()))
@pytest.mark.parametrize("lang", LANGS)
def test_required_keys_and_their_placeholders(key: str, params: set[str], lang: i18n.Lang) -> None:
    """Every key the bot relies on exists with the agreed placeholders."""
    assert placeholders(key, lang) == params


@pytest.mark.parametrize("regime", list(Regime), ids=str)
def test_every_regime_has_contract_label_and_a_meaning(regime: Regime) -> None:
    """Each regime id has the SIGNALS.md labels and a meaning sentence in both languages."""
    en_label, zh_label = CONTRACT_LABELS[regime.value]
    assert t(f"regime.{regime.value}.label", "en") == en_label
    assert t(f"regime.{regime.value}.label", "zh") == zh_label
    assert t(f"regime.{regime.value}.meaning", "en").endswith(".")
    assert t(f"regime.{regime.value}.meaning", "zh").endswith("。")
    assert t(f"regime.{regime.value}.meaning", "zh-hant").endswith("。")


def test_regime_meanings_are_distinct() -> None:
    """No two regimes share a meaning sentence in either language."""
    for lang in LANGS:
        meanings = {t(f"regime.{r.value}.meaning", lang) for r in Regime}
        assert len(meanings) == len(Regime)


def test_contract_texts_are_exact() -> None:
    """The worked example, scope and footer texts match SIGNALS.md and the issue byte for byte."""
    assert t("regime.defensive_impulse.meaning", "en") == (
        "short-term momentum is weak, but not yet a slower risk-off regime signal."
    )
    assert t("regime.defensive_impulse.meaning", "zh") == (
        "短线价格动量偏弱，但尚未达到较长周期的风险规避信号。"
    )
    assert t("card.scope", "en") == (
        "Scope: price momentum only; it does not measure fund flows, holdings quality, or "
        "company fundamentals, and it is not a buy/sell recommendation."
    )
    assert t("card.scope", "zh").startswith("说明：本信号仅反映价格动量，")
    assert t("card.footer", "en") == (
        "Generated from ETF price-momentum data; for information only; not investment advice."
    )
    assert t("card.footer", "zh") == "本内容根据ETF价格动量数据生成，仅供参考，不构成投资建议。"
    assert t("card.source", "en", source="Yahoo Finance") == "Price source: Yahoo Finance."
    assert t("card.source", "zh", source="雅虎财经") == "价格来源：雅虎财经。"


def test_seed_card_lines() -> None:
    """Title, tracks and labels read as the issue asks, in every language."""
    assert t("card.title", "en", ticker="IWM", label="defensive impulse") == (
        "IWM momentum: defensive impulse"
    )
    assert t("card.title", "zh", ticker="IWM", label="防御动能") == "IWM动量信号：防御动能"
    assert t("card.title", "zh-hant", ticker="IWM", label="防禦動能") == "IWM動能訊號：防禦動能"
    assert t("card.tracks", "en", ticker="IWM", index="Russell 2000") == "IWM tracks Russell 2000"
    assert t("card.tracks", "zh", ticker="IWM", index="罗素2000") == "IWM追踪罗素2000"
    assert [t(f"card.{k}", "zh") for k in ("price", "r_1d", "r_5d", "r_1m")] == [
        "收盘价",
        "单日",
        "5日",
        "1个月",
    ]
    assert t("card.price", "zh-hant") == "收盤價"
    assert "bar" not in t("card.stale", "en", expected="June 8, 2026", as_of="June 5, 2026")


def test_one_term_each_for_digest_and_watchlist() -> None:
    """The glossary's terms: 日报 / 自选列表 (日報 / 自選清單), never 摘要 or 观察列表."""
    banned = {"zh": ("摘要", "观察列表", "每日日报"), "zh-hant": ("摘要", "觀察", "自選列表")}
    for lang, words in banned.items():
        for key in all_keys():
            assert not [w for w in words if w in i18n.text(key, lang)], (lang, key)


@pytest.mark.parametrize("key", all_keys())
def test_english_has_no_cjk(key: str) -> None:
    """No English string contains CJK characters or full-width punctuation."""
    assert not CJK.search(t(key, "en", **dict.fromkeys(placeholders(key, "en"), "X")))


@pytest.mark.parametrize("key", all_keys())
@pytest.mark.parametrize("lang", sorted(CHINESE))
def test_chinese_has_no_english_prose(key: str, lang: i18n.Lang) -> None:
    """No Chinese string keeps two Latin words in a row once allowed tokens are removed."""
    template = i18n.text(key, lang)
    assert english_prose(template) == []
    only_placeholders = not re.sub(r"\{\w+\}|[\W_]", "", template)
    assert CJK.search(template) or only_placeholders


def test_english_prose_detector_catches_leaks() -> None:
    """The prose check flags an untranslated phrase and accepts tickers and placeholders."""
    assert english_prose("价格 is weak 今天") == ["is weak"]
    assert english_prose("{ticker} 追踪 S&P 500,例如 IWM 或 SPY") == []
    assert english_prose("请选择 en、zh 或 both。") == []


def test_t_fills_parameters_per_call() -> None:
    """The language is chosen by each call; parameters fill the placeholders."""
    assert t("error.cooldown", "en", seconds=7) == "Too many requests. Please try again in 7 s."
    assert "7秒" in t("error.cooldown", "zh", seconds=7)
    assert not CJK.search(t("error.cooldown", "en", seconds=7))


def test_unknown_key_and_missing_parameter_raise() -> None:
    """A key missing from the catalog, or a missing parameter, raises KeyError."""
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        t("no.such.key", "en")
    with pytest.raises(KeyError, match="ticker"):
        t("error.no_data", "zh")


def test_catalog_is_parsed_once() -> None:
    """The .po file is read once per language and then served from the cache."""
    i18n._catalog.cache_clear()
    t("card.price", "en")
    t("card.price", "en")
    t("card.price", "zh")
    t("card.price", "zh-hant")
    info = i18n._catalog.cache_info()
    assert (info.misses, info.hits) == (3, 1)


def test_language_names() -> None:
    """Language settings have names in both languages."""
    assert language_name("zh", "en") == "Simplified Chinese"
    assert language_name("both", "zh") == "中英双语（简体）"
    assert language_name("both-hant", "zh-hant") == "中英雙語（臺灣繁體）"
    assert language_name("zh-hant", "zh-hk") == "繁體中文（台灣）"  # Hong Kong writes 台
    assert language_name("zh-hk", "zh") == "繁体中文（香港）"
    assert language_name("both-hk", "en") == "English and Traditional Chinese (Hong Kong)"
    assert all(language_name(choice, lang) for choice in LANGUAGES for lang in LANGS)


def test_catalog_files_are_where_babel_expects() -> None:
    """Catalogs live at locales/<locale>/LC_MESSAGES/signalbot.po."""
    assert i18n.catalog_path("zh") == (
        Path(i18n.__file__).parent / "locales" / "zh_Hans" / "LC_MESSAGES" / "signalbot.po"
    )
    assert all(i18n.catalog_path(lang).is_file() for lang in LANGS)


def test_every_key_used_in_formatting_exists() -> None:
    """Every literal key passed to t() or Term() in formatting/ is in every catalog."""
    root = Path(i18n.__file__).parent
    used = set()
    for path in root.glob("*.py"):
        used |= set(re.findall(r"\b(?:t|Term)\(\s*\"([a-z0-9_.]+)\"", path.read_text("utf-8")))
    assert "card.scope" in used
    assert used <= keys("en") & keys("zh") & keys("zh-hant")


def test_term_is_a_key_holder() -> None:
    """Term carries a catalog key to translate later."""
    assert Term("language.name.en").key == "language.name.en"
