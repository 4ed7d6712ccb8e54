"""Regime alert messages and the history chart: pure renderers, every language shown."""

from __future__ import annotations

import dataclasses

import numpy as np

from formatting.alerts import RegimeChange, alert_text, alert_to_discord, alert_to_slack
from formatting.card import Card
from formatting.channels import ChannelRef
from formatting.track_chart import history_chart_png
from formatting.track_record import HistoryView
from signals.momentum import Signal, compute_signals
from signals.regimes import Regime
from tests.fakes.market import WORKED_SESSION, worked_example_bars
from tests.formatting.test_track_record import record


def change() -> RegimeChange:
    signal = compute_signals({"IWM": worked_example_bars()})["IWM"]
    assert isinstance(signal, Signal)
    card = Card(
        signal=signal, fund=None, closes=(), expected_session=WORKED_SESSION, track=record()
    )
    return RegimeChange(previous=Regime.NEUTRAL, card=card)


def test_alert_text_in_both_languages_with_figures_track_line_and_disclaimer():
    """Change line, figures, the track line (not a forecast), source and footer per language."""
    text = alert_text([change()], WORKED_SESSION, "both", source="yfinance")
    assert "IWM: neutral → defensive impulse" in text and "IWM：中性→防御动能" in text
    assert "$281.65" in text and "-3.55%" in text
    assert "This describes the past and is not a forecast." in text
    assert "以上为历史统计，过往表现不代表未来表现。" in text
    assert "not investment advice" in text


def test_discord_and_slack_bodies_ping_nobody_and_fit():
    """Discord content has mentions off and fits 2,000 characters; Slack has blocks and text."""
    many = [change()] * 30
    discord = alert_to_discord(many, WORKED_SESSION, "both", source="yfinance")
    assert discord["allowed_mentions"] == {"parse": []} and len(discord["content"]) <= 2000
    slack = alert_to_slack(many, WORKED_SESSION, "en", source="yfinance")
    assert slack["blocks"] and all(len(b["text"]["text"]) <= 3000 for b in slack["blocks"])


def test_channel_ref_is_a_link_only_for_safe_ids():
    """``<#id>`` on Discord and Slack for plain ids; ``#name`` in the terminal; junk is stripped."""
    assert str(ChannelRef("123", "discord")) == "<#123>"
    assert str(ChannelRef("C0123", "slack")) == "<#C0123>"
    assert str(ChannelRef("console", "terminal")) == "#console"
    assert str(ChannelRef("<@&1>", "discord")) == "#1"


def test_history_chart_is_a_png_with_and_without_a_current_regime():
    """The chart renders from the samples, and also when there is no current regime."""
    rng = np.random.default_rng(2)
    full = dataclasses.replace(
        record(),
        f5_all=tuple(rng.normal(0, 0.02, 2000).tolist()),
        f5_current=tuple(rng.normal(0.004, 0.03, 90).tolist()),
    )
    for rec in (full, dataclasses.replace(full, current=None, f5_current=())):
        png = history_chart_png(HistoryView(record=rec, source="yfinance"), "both")
        assert png.startswith(b"\x89PNG")
