"""Telegram text to registry commands, and language codes to catalog languages (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.telegram.locale import chat_language
from bot.adapters.telegram.menu import MAX_DESCRIPTION, MENUS, menu
from bot.adapters.telegram.parsing import Parsed, parse_text
from bot.adapters.terminal import NOT_UNDERSTOOD
from bot.settings import SettingsError, load_settings
from commands.registry import REGISTRY

ME = "signalbot_test_bot"


def parse(text: str, *, private: bool = True) -> Parsed | None:
    return parse_text(text, username=ME, private=private)


def test_commands_as_telegram_sends_them() -> None:
    assert parse("/signal IWM SPY") == Parsed("signal", {"ticker": "IWM SPY"})
    assert parse(f"/signal@{ME} IWM", private=False) == Parsed("signal", {"ticker": "IWM"})
    assert parse("/SIGNAL@Signalbot_Test_Bot iwm", private=False) == Parsed(
        "signal", {"ticker": "iwm"}
    )
    assert parse("/signal@other_bot IWM", private=False) is None
    assert parse("/start") == Parsed("help")
    assert parse("/language zh-hant") == Parsed("language", {"choice": "zh-hant"})
    assert parse("/history IWM") == Parsed("history", {"ticker": "IWM"})


def test_words_without_a_slash_only_in_private_chats() -> None:
    assert parse("IWM") == Parsed("signal", {"ticker": "IWM"})
    assert parse("帮助") == Parsed("help")
    assert parse("IWM", private=False) is None
    assert parse("what is this?") == Parsed(NOT_UNDERSTOOD, {"text": "what is this?"})
    assert parse("quit") == Parsed(NOT_UNDERSTOOD, {"text": "quit"})
    unknown = parse("/sginal IWM")
    assert unknown is not None and unknown.unknown and unknown.command == "sginal"


def test_digest_and_alert_name_a_channel() -> None:
    assert parse("/digest schedule @my_channel 16:30 Asia/Taipei") == Parsed(
        "digest", {"action": "schedule", "text": "16:30 Asia/Taipei", "channel": "@my_channel"}
    )
    assert parse("/digest off -1001234567") == Parsed(
        "digest", {"action": "off", "channel": "-1001234567"}
    )
    assert parse("/digest watchlist SPY QQQ") == Parsed(
        "digest", {"action": "watchlist", "text": "SPY QQQ"}
    )
    assert parse("/alert add IWM @my_channel") == Parsed(
        "alert", {"action": "add", "ticker": "IWM", "channel": "@my_channel"}
    )
    assert parse("/alert add @my_channel IWM") == Parsed(
        "alert", {"action": "add", "ticker": "IWM", "channel": "@my_channel"}
    )
    parsed = parse("/digest schedule")
    assert parsed is not None and parsed.target is None and parsed.needs_admin_check
    language = parse("/language")
    assert language is not None and not language.needs_admin_check
    chosen = parse("/language zh")
    assert chosen is not None and chosen.needs_admin_check


@given(st.text(max_size=60), st.booleans())
def test_any_text_parses_without_error(text: str, private: bool) -> None:
    parsed = parse(text, private=private)
    if parsed is not None and not parsed.unknown and parsed.command != NOT_UNDERSTOOD:
        assert parsed.command in REGISTRY
    if not private and not text.strip().startswith("/"):
        assert parsed is None


@given(st.sampled_from(sorted(REGISTRY)), st.text(alphabet="ABCDEFGHIJ XYZ", max_size=20))
def test_every_registry_command_is_reachable_with_the_mention(name: str, rest: str) -> None:
    parsed = parse(f"/{name}@{ME} {rest}", private=False)
    assert parsed is not None and parsed.command == name


def test_language_codes() -> None:
    cases = {
        "zh-hans": "zh", "zh-CN": "zh", "zh": "zh", "zh-Hans-SG": "zh",
        "zh-hant": "zh-hant", "zh-TW": "zh-hant", "zh-HK": "zh-hk", "zh-Hant-HK": "zh-hk", "zh-MO": "zh-hk",
        "en": "en", "en-GB": "en", "ja": "en", "": None, None: None,
    }  # fmt: skip
    for code, expected in cases.items():
        assert chat_language(code) == expected, code


def test_menus_fit_telegram() -> None:
    for lang in MENUS.values():
        items = menu(lang)
        assert [name for name, _ in items] == list(REGISTRY)
        assert all(1 <= len(text) <= MAX_DESCRIPTION for _, text in items)
        assert all(name.islower() and len(name) <= 32 for name, _ in items)
    assert set(MENUS) == {"", "zh"}  # Telegram takes two-letter codes only: no zh-hant menu


def test_telegram_settings() -> None:
    settings = load_settings(env_file=None, telegram_bot_token=" 1:abc ")
    assert (
        settings.telegram.enabled and settings.telegram.base_url == "https://api.telegram.org/bot"
    )
    assert "1:abc" not in repr(settings.telegram)
    assert not load_settings(env_file=None, telegram_bot_token="  ").telegram.enabled
    with pytest.raises(SettingsError, match=r"TELEGRAM_WEBHOOK_URL: .*https"):
        load_settings(env_file=None, telegram_webhook_url="http://bot.example.test/hook")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET") as caught:
        load_settings(env_file=None, telegram_webhook_secret="has spaces and $ecret")
    assert "$ecret" not in str(caught.value)
