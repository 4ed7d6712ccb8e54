"""The Discord adapter's readiness: the gateway connection."""

from __future__ import annotations

import asyncio

import yarl


async def test_gateway_health_follows_the_connection(make_bot, fake, monkeypatch):
    """Not ready before the gateway's READY; ready while connected; not ready after stop()."""
    from discord.gateway import DiscordWebSocket

    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    bot = await make_bot(login=False)
    assert await bot.adapter.health() == {"gateway": False}
    running = asyncio.create_task(bot.adapter.run())
    async with asyncio.timeout(20):
        while await bot.adapter.health() != {"gateway": True}:  # noqa: ASYNC110 - polled
            await asyncio.sleep(0.05)
    await bot.adapter.stop()
    await asyncio.wait_for(running, 10)
    assert await bot.adapter.health() == {"gateway": False}
