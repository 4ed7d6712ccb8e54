"""Shards: each process connects only the shards it leases; the fake routes like Discord."""

from __future__ import annotations

import asyncio

from bot.adapters.discord.shards import shard_of
from tests.fakes.discord import GUILD_ID, GUILD_ID_2, interaction, option


def signal(guild_id: int):
    """A /signal IWM from ``guild_id``."""
    return interaction("signal", option("ticker", "IWM"), guild_id=guild_id)


async def until(condition, within: float = 30.0) -> None:
    """Poll ``condition`` until it holds (generous timeout; never a fixed sleep)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def test_the_two_test_guilds_sit_on_different_shards():
    """Discord's formula (guild_id >> 22) % shard_count puts them on shards 0 and 1."""
    assert {shard_of(GUILD_ID, 2), shard_of(GUILD_ID_2, 2)} == {0, 1}


async def test_sqlite_one_process_connects_every_shard(make_bot, fake):
    """On SQLite the one process holds every shard: two sockets, each identified with its shard,
    and an interaction from either guild is answered exactly once."""
    fake.guild_ids = [GUILD_ID, GUILD_ID_2]
    bot = await make_bot(shard_count=2, login=False)
    running = asyncio.create_task(bot.adapter.run())
    await until(lambda: fake.shards_connected() == {0: 1, 1: 1})
    assert sorted(fake.identifies) == [(0, 2), (1, 2)]
    await until(lambda: bot.adapter.ready)
    assert bot.adapter.connections()["shards_connected"] == [0, 1]
    for guild in (GUILD_ID, GUILD_ID_2):
        payload = signal(guild)
        assert await fake.dispatch("INTERACTION_CREATE", payload) == 1
        [answer] = await fake.wait_for(lambda r, p=payload: p["token"] in r.path)
        assert answer.json["type"] == 4
    callbacks = [r for r in fake.calls("POST", r"/callback$")]
    assert len(callbacks) == 2 and not fake.undelivered
    await bot.adapter.stop()
    await asyncio.wait_for(running, 10)
    assert fake.shards_connected() == {}


async def test_explicit_shard_ids_connect_only_those(make_bot, fake):
    """DISCORD_SHARD_IDS=1 of 2: only shard 1 is connected; its guild is answered, the other
    guild's events reach nobody here (another process would hold shard 0)."""
    fake.guild_ids = [GUILD_ID, GUILD_ID_2]
    bot = await make_bot(shard_count=2, shard_ids="1", login=False)
    running = asyncio.create_task(bot.adapter.run())
    await until(lambda: fake.shards_connected() == {1: 1} and bot.adapter.ready)
    assert bot.adapter.connections()["shards_held"] == [1]
    mine = GUILD_ID if shard_of(GUILD_ID, 2) == 1 else GUILD_ID_2
    other = GUILD_ID_2 if mine == GUILD_ID else GUILD_ID
    payload = signal(mine)
    assert await fake.dispatch("INTERACTION_CREATE", payload) == 1
    await fake.wait_for(lambda r: payload["token"] in r.path)
    assert await fake.dispatch("INTERACTION_CREATE", signal(other)) == 0
    await bot.adapter.stop()
    await asyncio.wait_for(running, 10)
