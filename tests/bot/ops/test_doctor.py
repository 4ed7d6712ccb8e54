"""``signalbot doctor`` against the local fakes: a good and a bad token for each platform.

The Discord fake answers /users/@me and /oauth2/applications/@me itself; the command list, the
guild, the bot's member record and the channel are scripted with the shapes Discord documents
(roles carry ``permissions`` as a string; overwrites ``id``, ``type``, ``allow``, ``deny``).
Slack returns a token's granted scopes in the ``x-oauth-scopes`` header of every Web API answer
(https://docs.slack.dev/authentication/tokens), which the Slack fake does not send: the
subclass below adds it.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.slack.installs import BOT_SCOPES
from bot.ops.doctor import cmd_doctor, run_checks
from bot.ops.doctor_chat import NEEDED_PERMISSIONS, channel_permissions
from bot.settings import load_settings
from bot.storage import open_storage
from commands.registry import REGISTRY
from tests.fakes.bot_process import bot_env
from tests.fakes.discord import (
    APPLICATION_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
)
from tests.fakes.market import write_price_dir
from tests.fakes.slack import FakeSlack
from tests.support import refused_port

ALL_NEEDED = sum(NEEDED_PERMISSIONS.values())
ATTACH_FILES = NEEDED_PERMISSIONS["Attach Files"]


class ScopedSlack(FakeSlack):
    """The Slack fake, with the granted scopes in ``x-oauth-scopes`` like Slack's API."""

    def __init__(self, scopes: tuple[str, ...] = BOT_SCOPES) -> None:
        super().__init__()
        self.scopes = scopes

    async def _api(self, request: web.Request) -> web.Response:
        response = await super()._api(request)
        response.headers["x-oauth-scopes"] = ",".join(self.scopes)
        return response


@pytest.fixture
async def discord() -> Any:
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest.fixture
async def slack() -> Any:
    server = await ScopedSlack().start()
    yield server
    await server.stop()


def script_discord(fake: FakeDiscord, *, deny: int = 0) -> None:
    """Commands registered; one guild whose @everyone has what the bot needs, minus ``deny``
    in the subscribed channel."""
    commands = [{"id": str(i), "name": n} for i, n in enumerate(sorted(REGISTRY))]
    fake.script("GET", f"/applications/{APPLICATION_ID}/commands", 200, commands)
    guild = {
        "id": str(GUILD_ID),
        "owner_id": "1",
        "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": str(ALL_NEEDED)}],
    }
    fake.script("GET", f"/guilds/{GUILD_ID}", 200, guild)
    fake.script("GET", f"/guilds/{GUILD_ID}/members/{BOT_USER_ID}", 200, {"roles": []})
    overwrites = [{"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": str(deny)}]
    channel = {"id": str(CHANNEL_ID), "name": "markets", "permission_overwrites": overwrites}
    fake.script("GET", f"/channels/{CHANNEL_ID}", 200, channel)


async def configured(tmp_path: Path, discord: FakeDiscord, slack: FakeSlack, **extra: Any):
    """Settings for both platforms on the fakes, CSV prices with SPY, a migrated database with
    one Discord subscription."""
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4})
    values: dict[str, Any] = {
        "price_source": f"csv:{prices}",
        "data_dir": tmp_path / "data",
        "discord_token": "good-discord-token",
        "discord_api_base_url": discord.base_url,
        "slack_bot_token": "xoxb-good",
        "slack_app_token": "xapp-good",
        "slack_api_base_url": f"{slack.url}/api",
    }
    values.update(extra)
    settings = load_settings(env_file=None, **values)
    async with open_storage(settings.storage.async_database_url) as storage:
        await storage.upsert_subscription(
            "discord", str(GUILD_ID), str(CHANNEL_ID), time=None, timezone="America/New_York"
        )
    return settings


async def test_everything_good_exits_0(tmp_path, discord, slack):
    """Good tokens, registered commands, permissions, scopes, migrated database, SPY: all ok."""
    script_discord(discord)
    settings = await configured(tmp_path, discord, slack)
    out = io.StringIO()
    code = await cmd_doctor(settings, out=out)
    text = out.getvalue()
    assert code == 0, text
    assert "problem" not in text and text.rstrip().endswith("all checks ok")
    for name in (
        "settings",
        "database",
        "price source",
        "discord token",
        "discord app",
        "discord commands",
        "discord channels",
        "slack token",
        "slack scopes",
        "slack socket mode",
    ):
        assert f"ok       {name}" in text, name
    assert "in 3 server(s)" in text and "SPY closed at" in text
    assert "good-discord-token" not in text and "xoxb-good" not in text
    assert [c.method for c in slack.calls] == ["auth.test", "apps.connections.open"]


async def test_bad_tokens_are_problems_with_what_to_do(tmp_path, discord, slack):
    """A refused Discord token (401) and a revoked Slack token: exit 1, each says what to do."""
    discord.script("GET", "/users/@me", 401, {"message": "401: Unauthorized", "code": 0})
    slack.fail("auth.test", "invalid_auth")
    slack.fail("apps.connections.open", "invalid_auth")
    settings = await configured(tmp_path, discord, slack)
    out = io.StringIO()
    assert await cmd_doctor(settings, out=out) == 1
    text = out.getvalue()
    assert "problem  discord token      DISCORD_TOKEN was refused (401 Unauthorized)" in text
    assert "-> reset the token under Bot in the Discord developer portal" in text
    assert "problem  slack token        auth.test refused SLACK_BOT_TOKEN (invalid_auth)" in text
    assert "reinstall the app" in text
    assert "discord app" not in text  # nothing more is asked with a refused token
    assert "ok       database" in text and "ok       price source" in text


async def test_missing_permission_scope_and_socket_token(tmp_path, discord, slack):
    """A channel denying Attach Files, a missing scope, a refused app token: three problems."""
    script_discord(discord, deny=ATTACH_FILES)
    slack.scopes = tuple(s for s in BOT_SCOPES if s != "files:write")
    slack.fail("apps.connections.open", "invalid_auth")
    checks = {c.name: c for c in await run_checks(await configured(tmp_path, discord, slack))}
    assert not checks["discord channels"].ok
    assert f"#{CHANNEL_ID} (markets): Attach Files" in checks["discord channels"].detail
    assert checks["slack scopes"].detail == "missing: files:write"
    assert "reinstall" in checks["slack scopes"].fix
    assert (
        not checks["slack socket mode"].ok and "invalid_auth" in checks["slack socket mode"].detail
    )
    assert checks["slack token"].ok and checks["discord commands"].ok


async def test_unreachable_database_and_silent_price_source(tmp_path):
    """A database that refuses connections and a source without SPY: problems, not tracebacks."""
    with refused_port() as port:
        settings = load_settings(
            env_file=None,
            price_source=f"csv:{write_price_dir(tmp_path / 'prices', {'IWM': 1.0})}",
            database_url=f"postgresql://postgres@127.0.0.1:{port}/nothing",
        )
        checks = {c.name: c for c in await run_checks(settings, limit=5)}
    assert not checks["database"].ok and "is not reachable" in checks["database"].detail
    assert "SIGNALBOT_DATABASE_URL" in checks["database"].fix
    assert (
        not checks["price source"].ok and "did not answer for SPY" in checks["price source"].detail
    )


def test_permission_arithmetic_follows_discords_order():
    """Roles add up; @everyone overwrite, then role overwrites, then the member's own."""
    guild = {
        "id": "1",
        "owner_id": "9",
        "roles": [
            {"id": "1", "permissions": str(ALL_NEEDED & ~ATTACH_FILES)},
            {"id": "2", "permissions": "0"},
        ],
    }
    member = {"roles": ["2"]}
    plain = {"permission_overwrites": []}
    assert not channel_permissions(guild, member, plain, "5") & ATTACH_FILES
    role_allows = {
        "permission_overwrites": [
            {"id": "1", "type": 0, "allow": "0", "deny": str(ALL_NEEDED)},
            {"id": "2", "type": 0, "allow": str(ALL_NEEDED), "deny": "0"},
        ]
    }
    assert channel_permissions(guild, member, role_allows, "5") & ALL_NEEDED == ALL_NEEDED
    member_denied = {
        "permission_overwrites": [
            *role_allows["permission_overwrites"],
            {"id": "5", "type": 1, "allow": "0", "deny": str(ATTACH_FILES)},
        ]
    }
    assert not channel_permissions(guild, member, member_denied, "5") & ATTACH_FILES
    admin = {**guild, "roles": [{"id": "1", "permissions": str(1 << 3)}]}
    assert channel_permissions(admin, member, member_denied, "5") & ATTACH_FILES


@pytest.mark.slow
def test_cli_doctor_and_config_never_show_secrets(tmp_path):
    """`signalbot doctor` with a bad setting: the checklist's line, exit 1; `signalbot config`
    shows secrets as set / not set only."""
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4})
    bad = bot_env(tmp_path, prices, SIGNALBOT_HTTP_PORT="seventy")
    run = [sys.executable, "-m", "bot"]
    doctor = subprocess.run(
        [*run, "doctor"], env=bad, capture_output=True, text=True, timeout=60, check=False
    )
    assert doctor.returncode == 1
    assert doctor.stdout.startswith("problem  settings           SIGNALBOT_HTTP_PORT:")
    env = bot_env(tmp_path, prices, SLACK_BOT_TOKEN="xoxb-very-secret-value")
    config = subprocess.run(
        [*run, "config"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert config.returncode == 0, config.stderr
    lines = {line.split()[0]: line.split()[1] for line in config.stdout.splitlines()[1:]}
    assert lines["SLACK_BOT_TOKEN"] == "set" and lines["DISCORD_TOKEN"] == "not"
    assert "xoxb-very-secret-value" not in config.stdout + config.stderr
    assert lines["SIGNALBOT_PRICE_SOURCE"] == f"csv:{prices}"
