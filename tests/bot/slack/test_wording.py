"""Slack wording: channel links and time zones as typed, never a way to inject markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.wording import Mrkdwn, channel_param, slack_message, zone_param
from formatting.messages import message_to_slack

LINK = re.compile(r"<#[CGD][A-Z0-9]{2,30}>")
CODE = re.compile(r"`[A-Za-z0-9_+\-/]{1,64}`")


@given(st.text(max_size=40))
def test_channel_param_is_a_link_only_for_channel_ids(value):
    """Any text: either a well-formed <#C…> link, or the text itself (escaped when rendered)."""
    shown = channel_param(value)
    if isinstance(shown, Mrkdwn):
        assert LINK.fullmatch(str(shown))
    else:
        assert shown == value


@given(st.text(max_size=70))
def test_zone_param_is_code_only_for_zone_names(value):
    """Any text: a code span only for IANA-shaped names (no backtick, no < or &)."""
    shown = zone_param(value)
    if isinstance(shown, Mrkdwn):
        assert CODE.fullmatch(str(shown))
    else:
        assert shown == value


@given(st.text(max_size=40))
def test_rendered_confirmation_never_carries_raw_markup(value):
    """Whatever is typed as a channel, the rendered text has no < or & except a channel link."""
    key, params = slack_message("digest.off", {}, value)
    text = message_to_slack(key, params, "en", ephemeral=True)["text"]
    assert "<" not in LINK.sub("", text)


def test_time_zone_is_shown_as_typed():
    """America/New_York keeps its underscore, no zero-width spaces."""
    key, params = slack_message(
        "digest.scheduled_at", {"time": "16:30", "timezone": "America/New_York"}, "C0ABC"
    )
    text = message_to_slack(key, params, "en", ephemeral=True)["text"]
    assert (
        text
        == "Daily digest on for <#C0ABC>: every trading day at 16:30 (`America/New_York`), for the latest closed session."
    )
