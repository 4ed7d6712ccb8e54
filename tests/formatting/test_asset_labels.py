"""Labels that fit the asset (SIGNALS.md, "Labels for funds whose price does not measure risk
appetite"): a Treasury, aggregate-bond or gold fund never reads "risk-on" / 风险偏好 on any surface.

Ids, JSON and storage keep the regime ids; only the display words change, in one place
(:mod:`formatting.labels`), so the card, the digest row, the heatmap, the alert and the history
all say the same.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import pytest

from formatting import blocks as sb
from formatting import embeds as de
from formatting.alerts import RegimeChange, alert_text
from formatting.card import Card
from formatting.digest import build_digest, digest_text, heatmap_specs
from formatting.digest_render import digest_to_text
from formatting.i18n import Lang, t
from formatting.labels import regime_key, regime_label, uses_trend_labels
from formatting.terminal import card_to_terminal, render_plain
from formatting.text import card_text
from formatting.track_record import HistoryView, history_notes, history_table, track_line
from signals.asset_classes import AssetClass, trend_labels
from signals.funds import FUNDS
from signals.regimes import Regime
from tests.formatting.conftest import make_card
from tests.formatting.test_track_record import record

LANGS: tuple[Lang, ...] = ("en", "zh", "zh-hant")
#: Funds whose price does not measure risk appetite: Treasuries, aggregate bonds, gold, silver,
#: a mainland gold fund and a Taiwan-listed Treasury fund.
SAFE_HAVENS = ("TLT", "SHY", "AGG", "BND", "GLD", "SLV", "518880.SS", "00679B.TWO")
#: Funds whose price does measure risk appetite (equities, high yield, oil) keep the labels.
RISK_ASSETS = ("IWM", "SPY", "HYG", "LQD", "USO", "2800.HK", "USMV")
#: Words that say what a move means for risk appetite, per language.
RISK_WORDS: dict[Lang, re.Pattern[str]] = {
    "en": re.compile(
        r"risk[- ]?(?:on|off)|risk appetite|risk[- ]averse|defensive|safe haven", re.I
    ),
    "zh": re.compile("风险偏好|风险规避|风险厌恶|避险|进攻|防御"),
    "zh-hant": re.compile("風險偏好|風險規避|風險厭惡|避險|進攻|防禦"),
}
#: SIGNALS.md's table for these funds.
TREND_LABELS: dict[Regime, dict[Lang, str]] = {
    Regime.RISK_OFF_REGIME: {"en": "broad downtrend", "zh": "全面走弱", "zh-hant": "全面走弱"},
    Regime.DEFENSIVE_IMPULSE: {
        "en": "short-term weakness",
        "zh": "短线走弱",
        "zh-hant": "短線走弱",
    },
    Regime.RISK_ON_IMPULSE: {"en": "short-term strength", "zh": "短线走强", "zh-hant": "短線走強"},
    Regime.RISK_ON_REGIME: {"en": "broad uptrend", "zh": "全面走强", "zh-hant": "全面走強"},
}
SESSION = date(2026, 6, 8)


def card_for(ticker: str, regime: Regime) -> Card:
    """A card of ``ticker`` in ``regime``, with a track-record line for that regime."""
    card = make_card(ticker=ticker, regime=regime)
    track = dataclasses.replace(record(), ticker=ticker, current=regime)
    track.regimes[regime] = record().regimes[Regime.DEFENSIVE_IMPULSE]
    return dataclasses.replace(card, track=track)


def surfaces(ticker: str, regime: Regime, lang: Lang) -> dict[str, str]:
    """Everything a reader of ``lang`` sees about ``ticker`` in ``regime``, per surface."""
    card = card_for(ticker, regime)
    previous = Regime.NEUTRAL if regime is not Regime.NEUTRAL else Regime.RISK_ON_REGIME
    digest = build_digest(SESSION, [card.signal], previous={ticker: previous})
    view = HistoryView(record=card.track, source="yfinance") if card.track else None
    assert view is not None
    return {
        "card": "\n".join(str(v) for v in dataclasses.astuple(card_text(card, lang))),
        "discord": json.dumps(de.card_to_discord(card, lang), ensure_ascii=False),
        "slack": json.dumps(sb.card_to_slack(card, lang), ensure_ascii=False),
        "terminal": render_plain(card_to_terminal(card, lang), width=100),
        "digest": digest_to_text(digest, lang),
        "digest rows": "\n".join(" ".join(row) for row in digest_text(digest, lang).rows),
        "heatmap": " ".join(
            row.regime for spec in heatmap_specs(digest, lang) for row in spec.rows
        ),
        "alert": alert_text(
            [RegimeChange(previous=previous, card=card)], SESSION, lang, source="yfinance"
        ),
        "history": "\n".join(
            [*(" ".join(row) for row in history_table(view, lang)), *history_notes(view, lang)]
        ),
        "track line": track_line(card.track, lang) or "" if card.track else "",
    }


def test_the_catalog_knows_which_funds_take_trend_labels() -> None:
    """Treasuries, aggregate bonds and precious metals do; equities, high yield, oil do not."""
    assert all(uses_trend_labels(ticker) for ticker in SAFE_HAVENS)
    assert not any(uses_trend_labels(ticker) for ticker in RISK_ASSETS)
    assert not uses_trend_labels("ZZZZ") and not uses_trend_labels(None)
    assert trend_labels(AssetClass.TREASURIES, "anything")
    assert trend_labels(AssetClass.CREDIT, "Bloomberg US Treasury Bill 1-3 Month")
    assert not trend_labels(AssetClass.US_STYLE, "MSCI USA Minimum Volatility")
    assert all(ticker in FUNDS for ticker in SAFE_HAVENS + RISK_ASSETS)


@pytest.mark.parametrize("ticker", SAFE_HAVENS)
@pytest.mark.parametrize("regime", list(Regime), ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_no_risk_appetite_words_on_a_bond_or_gold_fund(
    ticker: str, regime: Regime, lang: Lang
) -> None:
    """Card (every renderer), digest, digest row, heatmap, alert and history: no risk words."""
    found = {
        surface: RISK_WORDS[lang].findall(body)
        for surface, body in surfaces(ticker, regime, lang).items()
        if RISK_WORDS[lang].search(body)
    }
    assert found == {}


@pytest.mark.parametrize("regime", sorted(TREND_LABELS), ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_trend_labels_are_signals_md_table(regime: Regime, lang: Lang) -> None:
    """The four labels are SIGNALS.md's, on every surface that shows a label; ids unchanged."""
    label = TREND_LABELS[regime][lang]
    assert regime_label(regime, lang, "TLT") == label
    shown = surfaces("GLD", regime, lang)
    for surface in ("card", "digest rows", "heatmap", "alert", "history", "track line"):
        assert label in shown[surface], surface
    assert regime_key(regime, ticker="TLT").startswith(f"regime.{regime.value}.")
    assert make_card(ticker="TLT", regime=regime).signal.regime is regime


@pytest.mark.parametrize("regime", list(Regime), ids=str)
def test_other_funds_and_other_regimes_keep_their_labels(regime: Regime) -> None:
    """An equity fund keeps the risk-appetite labels; the five trend-free labels never change."""
    for lang in LANGS:
        assert regime_label(regime, lang, "IWM") == t(f"regime.{regime.value}.label", lang)
        assert regime_label(regime, lang) == t(f"regime.{regime.value}.label", lang)
        if regime not in TREND_LABELS:
            assert regime_label(regime, lang, "TLT") == regime_label(regime, lang, "IWM")


def test_trend_meanings_say_what_prices_did() -> None:
    """Each trend meaning is one sentence of price words, distinct from every other meaning."""
    for lang in LANGS:
        meanings = {t(f"regime.{r.value}.meaning", lang) for r in Regime}
        for regime in TREND_LABELS:
            meaning = t(regime_key(regime, "meaning", "GLD"), lang)
            assert not RISK_WORDS[lang].search(meaning)
            assert meaning not in meanings
            assert meaning.endswith("." if lang == "en" else "。")
