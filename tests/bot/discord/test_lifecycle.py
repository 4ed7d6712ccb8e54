"""The Poster (digest posting) against the fake, guild and channel removal, graceful stop."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from formatting.embeds import no_mentions
from tests.bot.discord.conftest import SlowSource
from tests.fakes.discord import (
    CHANNEL_ID,
    GUILD_ID,
    PNG_SIGNATURE,
    guild_create,
    interaction,
    option,
)

CHANNEL = "700000000000000042"
PATH = f"/channels/{CHANNEL}/messages"
EMBED = {"title": "ETF momentum regimes", "description": "IWM defensive impulse"}
RATE_LIMIT_HEADERS = {"Via": "1.1 google", "X-RateLimit-Scope": "user"}


async def test_send_message_posts_json_with_mentions_off(make_bot, fake):
    """A payload without files is posted as JSON; allowed_mentions is forced to none."""
    bot = await make_bot()
    payload = {
        "content": "@everyone hi",
        "embeds": [EMBED],
        "allowed_mentions": {"parse": ["everyone"]},
    }
    message_id = await bot.adapter.send_message(CHANNEL, payload)
    [sent] = fake.calls("POST", PATH)
    assert message_id.isdigit()
    assert sent.json["embeds"] == [EMBED]
    assert sent.json["allowed_mentions"] == no_mentions()
    assert bot.adapter.platform == "discord"


async def test_send_message_with_files_is_multipart(make_bot, fake):
    """payload_json carries the attachments; files[0] carries the PNG bytes."""
    bot = await make_bot()
    png = PNG_SIGNATURE + b"\x00" * 64
    payload = {"embeds": [{**EMBED, "image": {"url": "attachment://heatmap.png"}}]}
    await bot.adapter.send_message(
        CHANNEL, payload, [Attachment("heatmap.png", png, "Momentum heatmap")]
    )
    [sent] = fake.calls("POST", PATH)
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert sent.json["attachments"] == [
        {"id": 0, "filename": "heatmap.png", "description": "Momentum heatmap"}
    ]
    assert sent.json["allowed_mentions"] == {"parse": []}
    assert sent.files["files[0]"] == ("heatmap.png", "application/octet-stream", png)


@pytest.mark.parametrize("is_global", [False, True])
async def test_send_message_waits_out_a_429(make_bot, fake, is_global):
    """A 429 (route or global) is retried after retry_after; the message is sent once."""
    bot = await make_bot()
    body = {"message": "You are being rate limited.", "retry_after": 0.3, "global": is_global}
    fake.script("POST", PATH, 429, body, RATE_LIMIT_HEADERS)
    message_id = await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    first, second = fake.calls("POST", PATH)
    assert second.at - first.at >= 0.29
    assert message_id.isdigit()


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (404, 10003, "Unknown Channel"),
        (404, 10004, "Unknown Guild"),
    ],
)
async def test_lost_channels_raise_channel_gone(make_bot, fake, status, code, message):
    """404 Unknown Channel / Guild: the channel is gone for good: ChannelGone, no retry."""
    bot = await make_bot()
    fake.script("POST", PATH, status, {"message": message, "code": code})
    with pytest.raises(ChannelGone) as caught:
        await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    assert caught.value.channel_id == CHANNEL
    assert str(code) in caught.value.reason and message in caught.value.reason
    assert len(fake.calls("POST", PATH)) == 1


@pytest.mark.parametrize(
    ("code", "message"), [(50001, "Missing Access"), (50013, "Missing Permissions")]
)
async def test_permission_problems_raise_posting_paused(make_bot, fake, code, message):
    """403 50001/50013 can be fixed by an admin: PostingPaused naming what is missing."""
    bot = await make_bot()
    fake.script("POST", PATH, 403, {"message": message, "code": code})
    with pytest.raises(PostingPaused) as caught:
        await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    assert caught.value.channel_id == CHANNEL
    assert caught.value.reason.startswith("missing ")
    assert len(fake.calls("POST", PATH)) == 1


async def test_a_404_without_a_gone_code_is_retried_not_disabled(make_bot, fake):
    """Only 10003/10004 end a subscription: a bare 404 (a proxy, say) is PostFailed."""
    bot = await make_bot()
    fake.script("POST", PATH, 404, {"message": "404: Not Found", "code": 0})
    with pytest.raises(PostFailed):
        await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})


async def test_other_failures_raise_post_failed(make_bot, fake):
    """A 400, a rate limit too long to wait, or a client that never logged in: PostFailed."""
    bot = await make_bot()
    fake.script("POST", PATH, 400, {"message": "Invalid Form Body", "code": 50035})
    with pytest.raises(PostFailed, match="50035"):
        await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    fake.script(
        "POST",
        PATH,
        429,
        {"message": "slow down", "retry_after": 3600, "global": False},
        RATE_LIMIT_HEADERS,
    )
    with pytest.raises(PostFailed, match="rate limited"):
        await bot.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    idle = await make_bot(login=False)
    with pytest.raises(PostFailed, match="not connected"):
        await idle.adapter.send_message(CHANNEL, {"embeds": [EMBED]})
    with pytest.raises(ChannelGone):
        await bot.adapter.send_message("general", {"embeds": [EMBED]})


async def _events(bot, parse, payload, event: str) -> None:
    """Feed a gateway event to the client state and wait for our handler to finish."""
    before = asyncio.all_tasks()
    parse(payload)
    handlers = [t for t in asyncio.all_tasks() - before if t.get_name() == f"discord.py: {event}"]
    await asyncio.gather(*handlers)


async def _subscribe(store, *channels: str) -> None:
    for channel in channels:
        await store.upsert_subscription(
            "discord", str(GUILD_ID), channel, time=None, timezone="America/New_York"
        )


async def test_guild_removal_disables_its_subscriptions(make_bot, store, caplog):
    """GUILD_DELETE (bot removed) disables every subscription of the guild, with a log line."""
    bot = await make_bot()
    await _subscribe(store, str(CHANNEL_ID), CHANNEL)
    state = bot.adapter.client._connection
    await _events(bot, state.parse_guild_create, guild_create(), "on_guild_available")
    await _events(
        bot,
        state.parse_guild_delete,
        {"id": str(GUILD_ID), "unavailable": True},
        "on_guild_unavailable",
    )
    assert len(await store.list_subscriptions("discord")) == 2  # an outage is not a removal
    await _events(bot, state.parse_guild_delete, {"id": str(GUILD_ID)}, "on_guild_remove")
    assert await store.list_subscriptions("discord") == []
    rows = await store.list_subscriptions("discord", enabled_only=False)
    assert {r.disabled_reason for r in rows} == {"the bot was removed from the server"}
    assert any("disabled 2 subscription" in r.getMessage() for r in caplog.records)


async def test_channel_deletion_disables_that_subscription(make_bot, store):
    """CHANNEL_DELETE disables the channel's subscription only."""
    bot = await make_bot()
    await _subscribe(store, str(CHANNEL_ID), CHANNEL)
    state = bot.adapter.client._connection
    await _events(bot, state.parse_guild_create, guild_create(), "on_guild_available")
    deleted = {"id": str(CHANNEL_ID), "guild_id": str(GUILD_ID), "type": 0, "name": "general"}
    await _events(bot, state.parse_channel_delete, deleted, "on_guild_channel_delete")
    [left] = await store.list_subscriptions("discord")
    assert left.channel_id == CHANNEL


async def test_stop_lets_an_interaction_in_flight_finish(make_bot, fake, prices):
    """stop() waits for a slow command's follow-up, then closes the HTTP session."""
    bot = await make_bot(source=SlowSource(prices, delay=1.0), defer_after=0.3)
    payload = interaction("signal", option("ticker", "IWM"))
    bot.adapter.client._connection.parse_interaction_create(payload)
    await fake.wait_for(lambda r: r.path.endswith("/callback"))  # deferred, fetch running
    await bot.adapter.stop()
    follow_ups = [c for c in bot.calls_for(payload) if c.path.startswith("/webhooks/")]
    assert len(follow_ups) == 1 and follow_ups[0].json["embeds"]
    assert bot.adapter.client.is_closed()


def test_fake_answers_are_exactly_application_json():
    """discord.py only decodes bodies whose Content-Type is exactly application/json."""
    from tests.fakes.discord import json_response as _json

    response = _json({"ok": True})
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == {"ok": True}


async def test_run_serves_the_gateway_until_stopped(make_bot, fake, monkeypatch):
    """run(): login, IDENTIFY with the guilds intent only, an interaction over the gateway is
    answered, stop() closes the connection and run() returns."""
    import yarl
    from discord.gateway import DiscordWebSocket

    # discord.py connects a single-shard client to a fixed URL; point it at the fake's gateway.
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    bot = await make_bot(login=False)
    running = asyncio.create_task(bot.adapter.run())
    await asyncio.wait_for(fake.identified.wait(), 10)
    assert fake.identify["intents"] == 1  # GUILDS only: nothing privileged
    assert fake.identify["token"] == "test-token"
    payload = interaction("signal", option("ticker", "IWM"))
    await fake.dispatch("INTERACTION_CREATE", payload)
    [answer] = await fake.wait_for(lambda r: payload["token"] in r.path)
    assert answer.json["type"] == 4 and answer.json["data"]["embeds"]
    await bot.adapter.stop()
    await asyncio.wait_for(running, 10)
    assert running.exception() is None
