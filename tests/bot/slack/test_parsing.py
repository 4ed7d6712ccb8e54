"""The /signal text parser: subcommands, tickers, channels as Slack escapes them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.parsing import MAX_CARDS, Parsed, channel_id, parse_command
from commands.registry import REGISTRY
from commands.reply import UserError

HERE = "C0HERE123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IWM", Parsed("signal", {"ticker": "IWM"})),
        ("  iwm   spy ", Parsed("signal", {"ticker": "iwm spy"})),
        ("IWM 2026-06-08", Parsed("signal", {"ticker": "IWM", "as_of": "2026-06-08"})),
        ("", Parsed("help")),
        ("Help me", Parsed("help")),
        ("about", Parsed("about")),
        ("language", Parsed("language")),
        ("LANGUAGE zh", Parsed("language", {"choice": "zh"})),
        ("language 中文", Parsed("language", {"choice": "中文"})),
        ("language zh-hant", Parsed("language", {"choice": "zh-hant"})),
        ("colors", Parsed("colors")),
        ("COLORS red-up", Parsed("colors", {"scheme": "red-up"})),
        ("digest", Parsed("digest", {"action": "status"})),
        ("digest STATUS", Parsed("digest", {"action": "status"})),
        ("digest preview", Parsed("digest", {"action": "preview"})),
        (
            "digest watchlist spy, qqq",
            Parsed("digest", {"action": "watchlist", "tickers": "spy, qqq"}),
        ),
        (
            "digest schedule <#C0123ABCD|markets> 9:05 Asia/Shanghai",
            Parsed(
                "digest",
                {
                    "action": "schedule",
                    "channel": "C0123ABCD",
                    "time": "9:05",
                    "timezone": "Asia/Shanghai",
                },
            ),
        ),
        (
            "digest schedule America/New_York 16:30",
            Parsed(
                "digest",
                {
                    "action": "schedule",
                    "channel": HERE,
                    "time": "16:30",
                    "timezone": "America/New_York",
                },
            ),
        ),
        ("digest off", Parsed("digest", {"action": "off", "channel": HERE})),
        ("digest off G0PRIVATE1", Parsed("digest", {"action": "off", "channel": "G0PRIVATE1"})),
        ("digest weekly", Parsed("digest", {"action": "weekly"})),
    ],
)
def test_parse_command(text, expected):
    """Text after /signal maps onto the registry's commands and the digest contract."""
    assert parse_command(text, HERE) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("digest schedule #markets", "slack.error.bad_channel"),
        ("digest schedule <#markets>", "slack.error.bad_channel"),
        ("digest off c0lowercase", "slack.error.bad_channel"),
        ("digest off <#C0123ABCD> extra", "slack.error.digest_usage"),
        ("digest schedule C0123ABCD 10:00 11:00", "slack.error.digest_usage"),
        ("digest schedule C0123ABCD UTC Asia/Tokyo", "slack.error.digest_usage"),
        ("digest watchlist", "slack.error.digest_usage"),
        ("A B C D E", "error.too_many_tickers"),
    ],
)
def test_parse_errors_carry_a_message_key(text, key):
    """Text no command can take is a UserError with its own key."""
    with pytest.raises(UserError) as error:
        parse_command(text, HERE)
    assert error.value.key == key


def test_channel_forms():
    """Escaped links (with or without a name) and raw ids are accepted; names are not."""
    assert channel_id("<#C0123ABCD|general>") == "C0123ABCD"
    assert channel_id("<#C0123ABCD|>") == "C0123ABCD"
    assert channel_id("<#C0123ABCD>") == "C0123ABCD"
    assert channel_id("C0123ABCD") == "C0123ABCD"
    for bad in ("#general", "general", "<@U0123ABCD>", "<#C0123ABCD|x", "D0123ABCD"):
        with pytest.raises(UserError):
            channel_id(bad)


def test_every_registry_command_is_reachable():
    """Each registry command (and digest, being added) has a /signal spelling."""
    for name in [*REGISTRY, "digest"]:
        text = "IWM" if name == "signal" else name
        assert parse_command(text).command == name


def test_max_cards_fits_a_response_url():
    """Cards, a chart note and the failures fit the five messages a response_url accepts."""
    assert MAX_CARDS + 1 <= 5


@given(st.text(max_size=80))
def test_any_text_parses_or_is_a_user_error(text):
    """Arbitrary input never crashes the parser; any channel it yields is a plain Slack id."""
    try:
        parsed = parse_command(text, HERE)
    except UserError:
        return
    assert parsed.command in {*REGISTRY, "digest"}
    channel = parsed.args.get("channel")
    assert channel is None or re.fullmatch(r"[CG][A-Z0-9]+", channel)


def test_setting_changes_need_the_admin_check():
    """Showing a setting is for everyone; changing the language or colours checks the role."""
    assert not parse_command("colors").needs_admin_check
    assert parse_command("colors red-up").needs_admin_check
    assert parse_command("language both-hant").needs_admin_check
    assert not parse_command("language").needs_admin_check
