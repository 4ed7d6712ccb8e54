"""The fake Discord's gateway at ``/gateway``: HELLO, READY, GUILD_CREATE, heartbeat ACKs and
events pushed by the test.

It accepts many sockets and routes like Discord's sharded gateway: a guild's events go only to
the sockets that identified with shard ``(guild_id >> 22) % count``, DMs to shard 0
(discord-api-docs issue #17, "Sharding"; twilight's ``ShardId`` docs restate the formula). Two
sockets identified with one shard both get its events, so a double connection shows up as a
double answer (40060) in the tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord.payloads import GUILD_ID, guild_create, ready


class Gateway:
    """The gateway's state: who identified, with which shard, and the open sockets."""

    gateway_url: str
    _changed: asyncio.Condition

    def __init__(self) -> None:
        self.identify: dict[str, Any] | None = None  # the IDENTIFY payload the client sent
        self.identified = asyncio.Event()
        self.guild_ids: list[int] = [GUILD_ID]  # guilds the bot is in (GUILD_CREATE per shard)
        self.recommended_shards = 1  # GET /gateway/bot "shards"
        self.identifies: list[tuple[int, int]] = []  # (shard_id, shard_count) of every IDENTIFY
        self.sockets: dict[web.WebSocketResponse, tuple[int, int]] = {}  # identified, open
        self.undelivered: list[dict[str, Any]] = []  # events no connected shard was there for
        self._sequence = 0

    def shards_connected(self) -> dict[int, int]:
        """Open identified sockets per shard id."""
        out: dict[int, int] = {}
        for shard, _count in self.sockets.values():
            out[shard] = out.get(shard, 0) + 1
        return out

    async def wait_until(self, condition: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until ``condition()`` holds (checked at every request and gateway change)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(condition)

    @staticmethod
    def _route(data: dict[str, Any], event: str) -> int | None:
        raw = data.get("guild_id") or (data.get("id") if event.startswith("GUILD_") else None)
        return int(raw) if raw else None

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send a gateway DISPATCH event to the sockets of its guild's shard; how many got it."""
        guild_id = self._route(data, event)
        targets = [
            socket
            for socket, (shard, count) in self.sockets.items()
            if shard == ((guild_id >> 22) % count if guild_id else 0)
        ]
        assert self.sockets, "no client is connected to the gateway"
        if not targets:
            self.undelivered.append(data)
        for socket in targets:
            await self._send(socket, event, data)
        return len(targets)

    async def close_sockets(self) -> None:
        """Close every gateway socket (the server stops)."""
        for socket in list(self.sockets):
            await socket.close()

    async def _send(self, socket: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        await socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        """``GET /gateway``: one client socket, until it closes."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for frame in socket:
                if frame.type is WSMsgType.TEXT:
                    await self._receive(socket, json.loads(frame.data))
        finally:
            self.sockets.pop(socket, None)
            async with self._changed:
                self._changed.notify_all()
        return socket

    async def _receive(self, socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        if frame["op"] == 1:  # heartbeat
            await socket.send_json({"op": 11})
        elif frame["op"] == 2:  # identify
            self.identify = frame["d"]
            shard, count = frame["d"].get("shard") or [0, 1]
            self.identifies.append((shard, count))
            self.sockets[socket] = (shard, count)
            mine = [g for g in self.guild_ids if (g >> 22) % count == shard]
            await self._send(socket, "READY", ready(mine, shard, count, self.gateway_url))
            for guild_id in mine:
                await self._send(socket, "GUILD_CREATE", guild_create(guild_id))
            self.identified.set()
            async with self._changed:
                self._changed.notify_all()
