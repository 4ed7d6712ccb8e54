"""The app manifests in slack/ declare what the code needs: scopes, the command, the events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.slack.installs import BOT_SCOPES, REDIRECT_PATH
from bot.adapters.slack.server import EVENTS_PATH

ROOT = Path(__file__).resolve().parents[3]
EVENTS = {"app_home_opened", "app_uninstalled", "tokens_revoked"}


@pytest.mark.parametrize(
    ("name", "socket"), [("manifest.json", False), ("manifest.socket.json", True)]
)
def test_manifest_matches_the_code(name, socket):
    """Every OAuth scope the installer asks for, /signal with escaped channels, the uninstall
    events, the redirect URL, and Socket Mode only in its variant."""
    manifest = json.loads((ROOT / "slack" / name).read_text())
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/signal" and command["should_escape"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == EVENTS
    assert settings["socket_mode_enabled"] is socket
    assert settings["org_deploy_enabled"] is True  # Enterprise Grid org-wide installs
    assert all(url.endswith(REDIRECT_PATH) for url in manifest["oauth_config"]["redirect_urls"])
    if not socket:
        assert command["url"].endswith(EVENTS_PATH)
        assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    else:
        assert "url" not in command and "request_url" not in settings["event_subscriptions"]


def test_readme_setup_is_the_manifest():
    """The README's Slack section says to paste a manifest from slack/."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Connect to Slack", 1)[1].split("\n## ", 1)[0]
    assert "slack/manifest.json" in section and "slack/manifest.socket.json" in section
    assert "From a\n   manifest" in section or "From a manifest" in section
