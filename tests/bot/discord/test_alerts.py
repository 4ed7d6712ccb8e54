"""/alert on Discord: admins alert channels, members their own DMs, a channel we cannot post in."""

from __future__ import annotations

from tests.fakes.discord import (
    ADMIN_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    callback,
    interaction,
    option,
    subcommand,
)


def alert(action: str, *options, **kwargs):
    return interaction("alert", subcommand(action, *options), **kwargs)


async def test_admin_adds_a_channel_alert_and_a_duplicate_is_refused(make_bot):
    """/alert add IWM by an admin: this channel; again: already there, nothing stored."""
    bot = await make_bot(language="en")
    first = callback(
        await bot.send(alert("add", option("ticker", "IWM"), permissions=ADMIN_PERMISSIONS))
    )
    text = first.json["data"]["content"]
    assert text.startswith(f"Regime alert added: IWM in <#{CHANNEL_ID}>")
    assert first.json["data"]["allowed_mentions"] == {"parse": []}
    again = callback(
        await bot.send(alert("add", option("ticker", "iwm"), permissions=ADMIN_PERMISSIONS))
    )
    assert "already a regime alert" in again.json["data"]["content"]
    stored = await bot.store.list_alerts("discord", str(GUILD_ID))
    assert [(a.channel_id, a.ticker) for a in stored] == [(str(CHANNEL_ID), "IWM")]


async def test_member_alert_goes_to_their_dms(make_bot):
    """A member without Manage Server: the alert is for their DMs."""
    bot = await make_bot(language="en")
    answer = callback(await bot.send(alert("add", option("ticker", "SPY"))))
    assert "your direct messages" in answer.json["data"]["content"]
    (stored,) = await bot.store.list_alerts("discord", str(GUILD_ID))
    assert stored.channel_id == f"dm:{MEMBER_ID}"


async def test_channel_the_bot_cannot_post_in_is_refused(make_bot):
    """The bot lacks Send Messages here: a clear message, nothing stored."""
    bot = await make_bot(language="en")
    payload = alert("add", option("ticker", "IWM"), permissions=ADMIN_PERMISSIONS)
    payload["app_permissions"] = "0"
    answer = callback(await bot.send(payload))
    assert "I cannot post in" in answer.json["data"]["content"]
    assert await bot.store.list_alerts() == []


async def test_list_and_remove(make_bot):
    """/alert list shows the alert; /alert remove takes it away."""
    bot = await make_bot(language="en")
    await bot.send(alert("add", option("ticker", "IWM"), permissions=ADMIN_PERMISSIONS))
    listed = callback(await bot.send(alert("list")))
    assert "IWM in" in listed.json["data"]["content"]
    await bot.send(alert("remove", option("ticker", "IWM"), permissions=ADMIN_PERMISSIONS))
    assert await bot.store.list_alerts() == []
