"""/digest schedule checks that the bot can post in the target channel (roles + overwrites)."""

from __future__ import annotations

import asyncio

from tests.fakes.discord import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    QUIET_CHANNEL_ID,
    channel_resolved,
    interaction,
    option,
    subcommand,
)


def schedule(channel_id: int, *, locale: str = "en-US"):
    """/digest schedule channel:<channel_id> by an admin."""
    return interaction(
        "digest",
        subcommand("schedule", option("channel", str(channel_id), 7)),
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
        resolved=channel_resolved(channel_id),
        locale=locale,
    )


async def ask(fake, payload):
    """Send ``payload`` over the gateway; its one callback."""
    assert await fake.dispatch("INTERACTION_CREATE", payload) == 1
    [answer] = await fake.wait_for(lambda r: payload["token"] in r.path, within=15)
    return answer


async def connected(make_bot, fake):
    """A bot connected to the fake gateway with the guild in its cache."""
    bot = await make_bot(login=False)
    task = asyncio.create_task(bot.adapter.run())
    await asyncio.wait_for(fake.identified.wait(), 15)
    async with asyncio.timeout(15):
        while bot.adapter.client.get_guild(GUILD_ID) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return bot, task


async def test_schedule_is_refused_where_the_bot_cannot_send(make_bot, fake):
    """#quiet denies Send Messages to @everyone: refused, naming the channel and what to grant;
    nothing is stored. #general is fine: scheduled, and the reply names that channel."""
    bot, task = await connected(make_bot, fake)
    try:
        refused = await ask(fake, schedule(QUIET_CHANNEL_ID))
        text = refused.json["data"]["content"]
        assert refused.json["data"]["flags"] & 64
        assert f"<#{QUIET_CHANNEL_ID}>" in text and "• Send Messages" in text
        # Discord's rule: without Send Messages there is no Embed Links / Attach Files either
        assert "• Embed Links" in text and "• Attach Files" in text
        assert "• View Channel" not in text
        assert await bot.store.list_subscriptions("discord", str(GUILD_ID)) == []

        ok = await ask(fake, schedule(CHANNEL_ID))
        assert f"Daily digest on for <#{CHANNEL_ID}>" in ok.json["data"]["content"]
        [sub] = await bot.store.list_subscriptions("discord", str(GUILD_ID))
        assert sub.channel_id == str(CHANNEL_ID)
    finally:
        await bot.adapter.stop()
        await asyncio.wait_for(task, 10)


async def test_a_channel_outside_the_cache_is_not_refused(make_bot):
    """A channel this process has no cache for (not connected): scheduled, never a false refusal."""
    bot = await make_bot()
    calls = await bot.send(schedule(700000000000000055))
    [answer] = [c for c in calls if c.path.endswith("/callback")]
    assert "Daily digest on for <#700000000000000055>" in answer.json["data"]["content"]


async def test_a_50013_post_names_exactly_what_is_missing(make_bot, fake):
    """The digest poster refines Discord's 50013 with the cache: 'missing permission: Send
    Messages, Embed Links, Attach Files' for #quiet."""
    import pytest

    from bot.adapters.base import PostingPaused
    from tests.fakes.discord import MISSING_PERMISSIONS

    bot, task = await connected(make_bot, fake)
    try:
        path = f"/channels/{QUIET_CHANNEL_ID}/messages"
        fake.script("POST", path, 403, MISSING_PERMISSIONS)
        with pytest.raises(PostingPaused) as caught:
            await bot.adapter.send_message(
                str(QUIET_CHANNEL_ID), {"content": "x"}, server_id=str(GUILD_ID)
            )
        assert caught.value.reason == (
            "missing permission: Send Messages, Embed Links, Attach Files"
        )
    finally:
        await bot.adapter.stop()
        await asyncio.wait_for(task, 10)
