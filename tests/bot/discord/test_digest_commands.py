"""/digest through the real discord.py client: who may schedule, the picked channel, refused
channel kinds and the ephemeral preview with its heatmap."""

from __future__ import annotations

import logging

from tests.bot.discord.conftest import dispatched
from tests.fakes.discord import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    GUILD_ID,
    PNG_SIGNATURE,
    callback,
    channel_resolved,
    content,
    interaction,
    option,
    subcommand,
)

EPHEMERAL = 64


async def test_digest_subcommands_need_manage_server_except_status(make_bot, caplog):
    """Members are refused schedule/watchlist/off/preview by the bot itself; status answers."""
    bot = await make_bot()
    refused = []
    caplog.set_level(logging.INFO)
    for sub in (
        subcommand("schedule", option("channel", "700000000000000009", 7)),
        subcommand("watchlist", option("tickers", "SPY QQQ")),
        subcommand("off", option("channel", "700000000000000009", 7)),
        subcommand("preview"),
    ):
        payload = interaction("digest", sub, resolved=channel_resolved(700000000000000009))
        refused.append(content(callback(await bot.send(payload))))
    assert all("do not have permission" in text for text in refused), refused
    assert dispatched(caplog) == []
    assert await bot.store.list_subscriptions("discord") == []
    status = callback(await bot.send(interaction("digest", subcommand("status"))))
    assert status.json["data"]["flags"] & EPHEMERAL
    assert "do not have permission" not in content(status)
    assert [m for m in dispatched(caplog) if "command=digest" in m]


async def test_admin_schedules_a_digest_in_the_picked_channel(make_bot):
    """schedule channel:#market-news time:16:30: the dispatcher gets the channel id."""
    bot = await make_bot()
    channel_id = 700000000000000009
    payload = interaction(
        "digest",
        subcommand(
            "schedule",
            option("channel", str(channel_id), 7),
            option("time", "16:30"),
            option("timezone", "America/New_York"),
        ),
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
        resolved=channel_resolved(channel_id),
    )
    answer = callback(await bot.send(payload))
    assert answer.json["type"] == 4
    [sub] = await bot.store.list_subscriptions("discord", str(GUILD_ID))
    assert (sub.channel_id, sub.time, sub.timezone) == (
        str(channel_id),
        "16:30",
        "America/New_York",
    )


async def test_a_voice_channel_is_refused(make_bot):
    """A channel option resolving to a voice channel gets the bad-channel message."""
    bot = await make_bot()
    payload = interaction(
        "digest",
        subcommand("off", option("channel", "700000000000000008", 7)),
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
        resolved=channel_resolved(700000000000000008, kind=2),
    )
    answer = callback(await bot.send(payload))
    assert "text or announcement channel" in content(answer)


async def test_digest_preview_is_the_digest_with_its_heatmap(make_bot):
    """preview (admin): the digest embeds as they would be posted, heatmap attached, ephemeral."""
    bot = await make_bot(language="both")
    await bot.store.set_watchlist("discord", str(GUILD_ID), ["IWM", "SPY"])
    payload = interaction(
        "digest",
        subcommand("preview"),
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
        locale="fr",
    )
    answer = callback(await bot.send(payload))
    data = answer.json["data"]
    assert data["flags"] & EPHEMERAL
    assert len(data["embeds"]) == 2  # English, then Chinese
    assert data["embeds"][0]["image"]["url"] == "attachment://heatmap.png"
    assert "IWM" in str(data["embeds"]) and "SPY" in str(data["embeds"])
    assert answer.files["files[0]"][2].startswith(PNG_SIGNATURE)
    assert data["allowed_mentions"] == {"parse": []}
