"""The gateway shards this process holds: one discord.py client per leased shard id.

Leases come from :class:`bot.storage.shards.ShardLeases` (PostgreSQL advisory locks; every shard
on SQLite). Every ``interval`` seconds the runner renews them: a shard given up is disconnected
*before* its lock is released and a shard is connected only *after* its lock is taken, so no
shard is ever connected by two processes (Discord would deliver its events to both). Each shard
client identifies with ``[shard_id, shard_count]``; Discord sends it the events of the guilds
with ``(guild_id >> 22) % shard_count == shard_id`` (and DMs to shard 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import discord

from bot.storage.shards import LEASE_INTERVAL, ShardLeases

log = logging.getLogger(__name__)

#: Seconds a shard's client gets to close its gateway connection.
CLOSE_TIMEOUT = 5.0
#: Discord lets one IDENTIFY per 5 s per rate-limit bucket (``max_concurrency`` buckets).
IDENTIFY_WINDOW = 5.0


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord routes a guild's events to (DMs: shard 0)."""
    return (guild_id >> 22) % shard_count


class ShardRunner:
    """Connects, watches and disconnects the shard clients of one process."""

    def __init__(
        self,
        make_client: Callable[[int], discord.Client],
        token: str,
        leases: ShardLeases,
        *,
        interval: float = LEASE_INTERVAL,
        max_concurrency: int = 1,
    ) -> None:
        self._make_client = make_client
        self._token = token
        self.leases = leases
        self.interval = interval
        self.identify_spacing = IDENTIFY_WINDOW / max(1, max_concurrency)
        self.clients: dict[int, discord.Client] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stop = asyncio.Event()

    @property
    def shard_count(self) -> int:
        """Shards of the whole bot (over every process)."""
        return self.leases.shard_count

    def connected(self) -> frozenset[int]:
        """Shards whose client has a live, identified gateway session."""
        return frozenset(s for s, c in self.clients.items() if c.is_ready() and not c.is_closed())

    def client_for(self, guild_id: int | None) -> discord.Client | None:
        """This process's client of the guild's shard (None when another process holds it)."""
        return self.clients.get(shard_of(guild_id, self.shard_count) if guild_id else 0)

    async def run(self) -> None:
        """Renew leases and follow them until stop()."""
        try:
            while not self._stop.is_set():
                await self._renew()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.interval)
        finally:
            await self._close_all()
            await self.leases.close()

    async def stop(self) -> None:
        """Disconnect every shard and give up the leases."""
        self._stop.set()
        await self._close_all()

    async def _renew(self) -> None:
        for shard, task in list(self._tasks.items()):
            if task.done():  # its client gave up (e.g. auth failure): free the shard
                await self._close(shard)
                await self.leases.release([shard])
        plan = await self.leases.tick()
        if plan.lost:
            await self._close_all()
        for shard in sorted(plan.release):
            await self._close(shard)
        if plan.release:
            await self.leases.release(plan.release)
        for i, shard in enumerate(sorted(plan.acquired)):
            if self._stop.is_set():
                return
            if i:
                await asyncio.sleep(self.identify_spacing)
            await self._start(shard)
        if plan.lost or plan.release or plan.acquired:
            log.info(
                "discord shards held=%s of %d (released=%s acquired=%s)",
                sorted(self.leases.held),
                self.shard_count,
                sorted(plan.release),
                sorted(plan.acquired),
            )

    async def _start(self, shard: int) -> None:
        client = self._make_client(shard)
        try:
            await client.login(self._token)
        except (discord.HTTPException, OSError) as exc:
            log.warning("discord shard=%d could not log in: %s", shard, type(exc).__name__)
            await client.close()
            await self.leases.release([shard])
            return
        self.clients[shard] = client
        self._tasks[shard] = asyncio.create_task(
            self._serve(shard, client), name=f"discord-shard-{shard}"
        )

    async def _serve(self, shard: int, client: discord.Client) -> None:
        try:
            await client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("discord shard=%d stopped: %s: %s", shard, type(exc).__name__, exc)

    async def _close(self, shard: int) -> None:
        client = self.clients.pop(shard, None)
        task = self._tasks.pop(shard, None)
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), CLOSE_TIMEOUT)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _close_all(self) -> None:
        for shard in list(self.clients):
            await self._close(shard)
