"""Start-up: the synced command JSON, sync only on change, the REST base, sharding."""

from __future__ import annotations

import re

import discord
from discord.http import Route

from bot.adapters.discord.sync import STATE_KEY
from formatting.i18n import t
from tests.fakes.discord import APPLICATION_ID

ZH = ("zh-CN", "zh-TW")
NAME = re.compile(r"^[-_'\w]{1,32}$")


def walk(command):
    """The command and every nested option (subcommands, their options), depth first."""
    yield command
    for child in command.get("options", []):
        yield from walk(child)


async def test_synced_commands_are_the_contract(make_bot, fake):
    """Names and options exactly as the issue lists them; no default permission restriction."""
    await make_bot()
    commands = {c["name"]: c for c in fake.commands["global"]}
    assert set(commands) == {
        "signal",
        "history",
        "language",
        "colors",
        "digest",
        "alert",
        "help",
        "about",
    }
    assert all(c["default_member_permissions"] is None for c in commands.values())
    [ticker] = commands["signal"]["options"]
    assert (ticker["name"], ticker["type"], ticker["required"], ticker["autocomplete"]) == (
        "ticker",
        3,
        True,
        True,
    )
    [history] = commands["history"]["options"]
    assert (history["name"], history["required"], history["autocomplete"]) == ("ticker", True, True)
    [choice] = commands["language"]["options"]
    assert choice["name"] == "choice" and not choice["required"]
    assert [c["value"] for c in choice["choices"]] == [
        "en", "zh", "zh-hant", "zh-hk", "both", "both-hant", "both-hk",
    ]  # fmt: skip
    [scheme] = commands["colors"]["options"]
    assert scheme["name"] == "scheme" and not scheme["required"]
    assert [c["value"] for c in scheme["choices"]] == ["green-up", "red-up"]
    digest = commands["digest"]
    assert digest["contexts"] == [0]  # servers only: subscriptions belong to a server
    # user installs and DMs (0 guild, 1 bot DM, 2 group DM / private channel; 0 guild install,
    # 1 user install): the read-only commands everywhere, the server settings in servers only
    for name in ("signal", "help", "about"):
        assert sorted(commands[name]["integration_types"]) == [0, 1], name
        assert sorted(commands[name]["contexts"]) == [0, 1, 2], name
    for name in ("language", "colors", "digest"):
        assert commands[name]["integration_types"] == [0], name
        assert commands[name]["contexts"] == [0], name
    subs = {o["name"]: o for o in digest["options"]}
    assert list(subs) == ["schedule", "watchlist", "off", "status", "preview"]
    assert all(o["type"] == 1 for o in subs.values())
    schedule = {o["name"]: o for o in subs["schedule"]["options"]}
    assert list(schedule) == ["channel", "time", "timezone", "market"]
    assert schedule["market"]["type"] == 3 and not schedule["market"]["required"]
    assert schedule["channel"]["type"] == 7 and schedule["channel"]["required"]
    assert schedule["channel"]["channel_types"] == [0, 5]
    assert not schedule["time"]["required"] and schedule["timezone"]["autocomplete"]
    assert [o["name"] for o in subs["watchlist"]["options"]] == ["tickers"]
    assert [o["name"] for o in subs["off"]["options"]] == ["channel"]
    assert "options" not in subs["status"] or not subs["status"]["options"]


async def test_every_description_is_localised_for_chinese(make_bot, fake):
    """zh-CN and zh-TW see Chinese descriptions and choices; names stay /signal, ticker ..."""
    await make_bot()
    commands = {c["name"]: c for c in fake.commands["global"]}
    for command in commands.values():
        for node in walk(command):
            assert len(node["description"]) <= 100, node["name"]
            assert NAME.match(node["name"]) and not node.get("name_localizations")
            for locale in ZH:
                description = node["description_localizations"][locale]
                assert re.search(r"[\u4e00-\u9fff]", description), node["name"]
                assert len(description) <= 100
    signal = commands["signal"]
    assert signal["description_localizations"]["zh-CN"] == t("discord.cmd.signal.description", "zh")
    assert signal["description_localizations"]["zh-TW"] == (
        t("discord.cmd.signal.description", "zh-hant")
    )
    assert "檢視" in signal["description_localizations"]["zh-TW"]  # Traditional, not Simplified
    assert signal["description"] == t("discord.cmd.signal.description", "en")
    assert signal["options"][0]["name"] == "ticker"
    choices = commands["language"]["options"][0]["choices"]
    assert [c["name_localizations"]["zh-CN"] for c in choices] == [
        "英文", "简体中文", "繁体中文（台湾）", "繁体中文（香港）", "中英双语（简体）",
        "中英双语（台湾繁体）", "中英双语（香港繁体）",
    ]  # fmt: skip
    assert [c["name_localizations"]["zh-TW"] for c in choices] == [
        "英文", "簡體中文", "繁體中文（臺灣）", "繁體中文（香港）", "中英雙語（簡體）",
        "中英雙語（臺灣繁體）", "中英雙語（香港繁體）",
    ]  # fmt: skip
    assert [c["name"] for c in choices] == [
        "English", "Simplified Chinese", "Traditional Chinese (Taiwan)",
        "Traditional Chinese (Hong Kong)", "English and Simplified Chinese",
        "English and Traditional Chinese (Taiwan)", "English and Traditional Chinese (Hong Kong)",
    ]  # fmt: skip
    assert "en-US" not in signal["description_localizations"]


async def test_sync_is_skipped_when_the_commands_did_not_change(make_bot, fake, store):
    """A second start with the same definitions makes no sync call; the hash is stored."""
    await make_bot()
    assert len(fake.calls("PUT", r"/commands$")) == 1
    stored = await store.get_state(STATE_KEY)
    assert stored and len(stored) == 64
    await make_bot()
    assert len(fake.calls("PUT", r"/commands$")) == 1
    assert len(fake.calls("GET", r"^/users/@me$")) == 2  # it did log in again


async def test_a_changed_definition_or_scope_syncs_again(make_bot, fake, store):
    """A different stored hash, or development guild ids, trigger a sync (to each guild)."""
    await make_bot()
    await store.set_state(STATE_KEY, "0" * 64)  # as if an older build had synced
    await make_bot()
    assert len(fake.calls("PUT", r"^/applications/\d+/commands$")) == 2
    names = {c["name"] for c in fake.commands["global"]}
    assert {"signal", "language", "digest", "help", "about"} <= names
    await make_bot(guild_ids="123,456")
    guild_puts = [c.path for c in fake.calls("PUT", r"/guilds/")]
    assert guild_puts == [
        f"/applications/{APPLICATION_ID}/guilds/123/commands",
        f"/applications/{APPLICATION_ID}/guilds/456/commands",
    ]
    assert {c["name"] for c in fake.commands["123"]} == names
    assert fake.commands["global"] == []  # the other scope is emptied (no duplicates)


async def test_changing_the_scope_removes_the_other_scopes_commands(make_bot, fake):
    """Global -> guilds empties the global commands; guilds -> global empties those guilds."""
    await make_bot()
    assert {c["name"] for c in fake.commands["global"]} >= {"signal"}
    await make_bot(guild_ids="123")
    assert fake.commands["global"] == [] and fake.commands["123"]
    await make_bot(guild_ids="456")
    assert fake.commands["123"] == [] and fake.commands["456"]
    await make_bot()
    assert fake.commands["456"] == [] and {c["name"] for c in fake.commands["global"]} >= {"signal"}


async def test_a_failed_sync_is_retried_next_start(make_bot, fake, store):
    """A rejected sync is logged, the bot keeps running, and the hash is not stored."""
    path = f"/applications/{APPLICATION_ID}/commands"
    fake.script("PUT", path, 400, {"message": "Invalid Form Body", "code": 50035, "errors": {}})
    bot = await make_bot()
    assert not bot.adapter.client.is_closed()
    assert await store.get_state(STATE_KEY) is None
    await make_bot()
    assert len(fake.calls("PUT", r"/commands$")) == 2
    assert await store.get_state(STATE_KEY) is not None


async def test_a_network_blip_during_sync_does_not_stop_the_bot(make_bot, store, monkeypatch):
    """A dropped connection while syncing is logged like a rejection; the adapter stays up."""
    import aiohttp
    from discord import app_commands

    async def broken_sync(self, *, guild=None):
        raise aiohttp.ClientConnectionError("connection reset")

    monkeypatch.setattr(app_commands.CommandTree, "sync", broken_sync)
    bot = await make_bot()
    assert not bot.adapter.client.is_closed()
    assert await store.get_state(STATE_KEY) is None


async def test_rest_base_points_at_the_api_url(make_bot, fake):
    """DISCORD_API_BASE_URL replaces discord.py's REST base: every call reached the fake."""
    bot = await make_bot()
    assert fake.base_url == Route.BASE
    assert fake.calls("GET", r"^/oauth2/applications/@me$")
    assert fake.requests[0].headers["Authorization"] == "Bot test-token"
    assert bot.adapter.client.intents.value == discord.Intents(guilds=True).value


async def test_small_bots_use_one_connection(make_bot):
    """Without DISCORD_SHARD_COUNT and with few guilds: a plain discord.Client."""
    bot = await make_bot()
    assert type(bot.adapter.client) is discord.Client
    assert not bot.adapter.sharded


async def test_shard_count_setting_shards(make_bot):
    """DISCORD_SHARD_COUNT set: the adapter is sharded with that many shards."""
    bot = await make_bot(shard_count=2)
    assert bot.adapter.sharded
    assert bot.adapter.shard_count == 2


async def test_large_bots_shard_as_discord_recommends(make_bot, fake):
    """More than 1000 guilds reported at login: sharded, with /gateway/bot's recommended count,
    without a second login."""
    fake.guild_count = 1500
    fake.recommended_shards = 3
    bot = await make_bot()
    assert bot.adapter.sharded and bot.adapter.shard_count == 3
    assert len(fake.calls("GET", r"^/users/@me$")) == 1
    assert bot.adapter.tree.client is bot.adapter.client
