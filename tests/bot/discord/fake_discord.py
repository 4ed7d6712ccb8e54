"""A fake Discord REST API on 127.0.0.1 that records every request, plus interaction payloads.

Answers what discord.py needs to log in (``/users/@me``, ``/oauth2/applications/@me``,
``/gateway/bot``), command sync (``PUT .../commands``, echoed back with ids), interaction
callbacks (one per interaction: a second gets 40060, like Discord), webhook follow-ups and channel
messages, and a gateway at ``/gateway`` (HELLO, READY, GUILD_CREATE, heartbeat ACKs, events
pushed by the test) that accepts many sockets and routes like Discord's sharded gateway: a
guild's events go only to the sockets that identified with shard ``(guild_id >> 22) % count``,
DMs to shard 0 (discord-api-docs issue #17, "Sharding"; twilight's ``ShardId`` docs restate the
formula). Two sockets identified with one shard both get its events, so a double connection
shows up as a double answer (40060) in the tests. Multipart bodies are split into ``payload_json`` and ``files[n]``. Responses are
``application/json`` exactly (discord.py checks). ``script`` queues canned responses (429, 404 ...)
for a method and path.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
APPLICATION_ID = 900000000000000001
BOT_USER_ID = 900000000000000002
GUILD_ID = 800000000000000001
#: A guild on the other shard of a two-shard bot: (GUILD_ID >> 22) % 2 != (GUILD_ID_2 >> 22) % 2.
GUILD_ID_2 = GUILD_ID + (1 << 22)
CHANNEL_ID = 700000000000000001
ADMIN_ID = 600000000000000001
MEMBER_ID = 600000000000000002
#: Permission bits: view channel, send messages, use application commands; Manage Server.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)
MANAGE_GUILD = 1 << 5
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEND_MESSAGES = 1 << 11
#: @everyone in the fake guild: view channel, send messages, embed links, attach files, commands.
EVERYONE_PERMISSIONS = (1 << 10) | SEND_MESSAGES | (1 << 14) | (1 << 15) | (1 << 31)
BOT_ROLE_ID = 800000000000000099
#: #quiet denies Send Messages to @everyone.
QUIET_CHANNEL_ID = 700000000000000003

_ids = itertools.count(500000000000000001)

# JSON error bodies as Discord sends them (codes from Discord's "Opcodes and Status Codes",
# https://discord.com/developers/docs/topics/opcodes-and-status-codes#json; an interaction must
# get its one initial response within 3 s and its token takes follow-ups for 15 min, see
# https://discord.com/developers/docs/interactions/receiving-and-responding).
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}  # HTTP 404
ALREADY_ACKNOWLEDGED = {"message": "Interaction has already been acknowledged.", "code": 40060}
INVALID_WEBHOOK_TOKEN = {"message": "Invalid Webhook Token", "code": 50027}  # HTTP 401
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}  # HTTP 403


class ChannelRoutes(Protocol):
    """Something that serves the channel message routes (``tests.digest.fake_discord``)."""

    def add_routes(self, app: web.Application) -> None: ...


@dataclass
class Recorded:
    """One request as the fake received it (``path`` without the ``/api/v10`` prefix)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name -> file
    at: float = 0.0


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "public_flags": 0,
        "bot": bot,
    }


def _message(channel_id: str, body: Any) -> dict[str, Any]:
    body = body if isinstance(body, dict) else {}
    return {
        "id": str(next(_ids)),
        "channel_id": channel_id,
        "type": 0,
        "content": body.get("content", ""),
        "author": _user(BOT_USER_ID, "signalbot", bot=True),
        "attachments": [],
        "embeds": body.get("embeds", []),
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-06-08T21:00:00+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags", 0),
        "components": [],
    }


class FakeDiscord:
    """The fake API server; ``base_url`` is what DISCORD_API_BASE_URL should be."""

    def __init__(self, *, guild_count: int = 3) -> None:
        self.guild_count = guild_count
        self.requests: list[Recorded] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope -> last synced payload
        self.acknowledged: set[str] = set()  # interaction ids that got their one response
        self._scripts: dict[tuple[str, str], list[tuple[int, Any, dict[str, str]]]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.gateway_url = ""
        self.identify: dict[str, Any] | None = None  # the IDENTIFY payload the client sent
        self.identified = asyncio.Event()
        self.guild_ids: list[int] = [GUILD_ID]  # guilds the bot is in (GUILD_CREATE per shard)
        self.recommended_shards = 1  # GET /gateway/bot "shards"
        self.identifies: list[tuple[int, int]] = []  # (shard_id, shard_count) of every IDENTIFY
        self.sockets: dict[web.WebSocketResponse, tuple[int, int]] = {}  # identified, open
        self.undelivered: list[dict[str, Any]] = []  # events no connected shard was there for
        self._sequence = 0

    async def start(self, *, channels: ChannelRoutes | None = None) -> FakeDiscord:
        """Listen on a free port of 127.0.0.1; ``channels`` (the digest tests' fake, with
        nonces, history and held posts) serves ``/channels/{id}/messages`` instead of the echo."""
        app = web.Application(client_max_size=32 * 1024 * 1024)  # digests carry heatmaps
        if channels is not None:
            channels.add_routes(app)  # before the catch-all: aiohttp tries routes in order
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def script(
        self, method: str, path: str, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next ``method path`` with ``status`` and ``body`` (queued, first in first out)."""
        self._scripts.setdefault((method, path), []).append((status, body, headers or {}))

    def calls(self, method: str | None = None, pattern: str = "") -> list[Recorded]:
        """Recorded requests, optionally of one method and with a path matching ``pattern``."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and re.search(pattern, r.path)
        ]

    async def wait_for(
        self, predicate: Callable[[Recorded], bool], *, count: int = 1, within: float = 10.0
    ) -> list[Recorded]:
        """Wait until ``count`` recorded requests match ``predicate``; those requests."""

        def matching() -> list[Recorded]:
            return [r for r in self.requests if predicate(r)]

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(matching()) >= count)
        return matching()

    def shards_connected(self) -> dict[int, int]:
        """Open identified sockets per shard id."""
        out: dict[int, int] = {}
        for shard, _count in self.sockets.values():
            out[shard] = out.get(shard, 0) + 1
        return out

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

    async def _send(self, socket: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        await socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                if frame["op"] == 1:  # heartbeat
                    await socket.send_json({"op": 11})
                elif frame["op"] == 2:  # identify
                    self.identify = frame["d"]
                    shard, count = frame["d"].get("shard") or [0, 1]
                    self.identifies.append((shard, count))
                    self.sockets[socket] = (shard, count)
                    mine = [g for g in self.guild_ids if (g >> 22) % count == shard]
                    await self._send(socket, "READY", self._ready(mine, shard, count))
                    for guild_id in mine:
                        await self._send(socket, "GUILD_CREATE", guild_create(guild_id))
                    self.identified.set()
                    async with self._changed:
                        self._changed.notify_all()
        finally:
            self.sockets.pop(socket, None)
            async with self._changed:
                self._changed.notify_all()
        return socket

    async def wait_until(self, condition: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until ``condition()`` holds (checked at every request and gateway change)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(condition)

    def _ready(self, guild_ids: list[int], shard: int, count: int) -> dict[str, Any]:
        return {
            "v": 10,
            "user": _user(BOT_USER_ID, "signalbot", bot=True),
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": f"fake-session-{next(_ids)}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "shard": [shard, count],
        }

    async def _record(self, request: web.Request) -> Recorded:
        path = request.path.removeprefix(API_PREFIX)
        record = Recorded(
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=dict(request.headers),
            at=time.perf_counter(),
        )
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                name = part.name or ""
                if name == "payload_json":
                    record.json = json.loads(data)
                else:
                    kind = part.headers.get("Content-Type", "")
                    record.files[name] = (part.filename or "", kind, bytes(data))
        elif request.can_read_body:
            raw = await request.read()
            record.json = json.loads(raw) if raw else None
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        return record

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request)
        queued = self._scripts.get((record.method, record.path))
        if queued:
            status, body, headers = queued.pop(0)
            return _json(body, status, headers)
        return self._answer(record)

    def _answer(self, r: Recorded) -> web.StreamResponse:
        m, p = r.method, r.path
        if (m, p) == ("GET", "/users/@me"):
            return _json(_user(BOT_USER_ID, "signalbot", bot=True))
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if (m, p) == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 16}
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": self.recommended_shards,
                    "session_start_limit": limit,
                }
            )
        if m == "PUT" and (
            match := re.fullmatch(r"/applications/\d+(?:/guilds/(\d+))?/commands", p)
        ):
            scope = match.group(1) or "global"
            self.commands[scope] = r.json
            return _json([self._command(c, match.group(1)) for c in r.json])
        if m == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", p):
            interaction_id = p.split("/")[2]
            if interaction_id in self.acknowledged:
                # Discord accepts exactly one initial response per interaction; any later one is
                # refused with 40060 "Interaction has already been acknowledged" (HTTP 400).
                return _json(ALREADY_ACKNOWLEDGED, 400)
            self.acknowledged.add(interaction_id)
            body = r.json or {}
            flags = (body.get("data") or {}).get("flags", 0)
            return _json(
                {
                    "interaction": {
                        "id": p.split("/")[2],
                        "type": 2,
                        "response_message_loading": body.get("type") == 5,
                        "response_message_ephemeral": bool(flags & 64),
                    }
                }
            )
        if m == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", p):
            return _json(_message(str(CHANNEL_ID), r.json))
        if m == "DELETE" and p.endswith("/messages/@original"):
            return web.Response(status=204)
        if m == "PATCH" and p.endswith("/messages/@original"):
            return _json(_message(str(CHANNEL_ID), r.json))
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", p)):
            return _json(_message(match.group(1), r.json))
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APPLICATION_ID),
            "name": "signalbot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": _user(ADMIN_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
            "approximate_guild_count": self.guild_count,
        }

    @staticmethod
    def _command(payload: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        out = {
            **payload,
            "id": str(next(_ids)),
            "application_id": str(APPLICATION_ID),
            "version": "1",
        }
        if guild_id:
            out["guild_id"] = guild_id
        return out


# --- interaction payloads, as Discord's gateway sends them -----------------------------------


def option(name: str, value: Any, kind: int = 3, *, focused: bool = False) -> dict[str, Any]:
    """A command option (3 string, 7 channel ...); ``focused`` for autocomplete."""
    out: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        out["focused"] = True
    return out


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    """A subcommand option carrying its own options."""
    return {"name": name, "type": 1, "options": list(options)}


def channel_resolved(channel_id: int, kind: int = 0) -> dict[str, Any]:
    """``data.resolved`` for a channel option (0 text, 2 voice, 5 announcement)."""
    return {
        "channels": {
            str(channel_id): {
                "id": str(channel_id),
                "name": "market-news",
                "type": kind,
                "permissions": str(ADMIN_PERMISSIONS),
                "parent_id": None,
            }
        }
    }


def interaction(
    name: str,
    *options: dict[str, Any],
    kind: int = 2,
    user_id: int = MEMBER_ID,
    permissions: int = MEMBER_PERMISSIONS,
    guild_id: int | None = GUILD_ID,
    locale: str = "en-US",
    resolved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: type 2 (command) or 4 (autocomplete); DM when no guild."""
    interaction_id = next(_ids)
    data: dict[str, Any] = {
        "id": str(next(_ids)),
        "name": name,
        "type": 1,
        "options": list(options),
    }
    if resolved:
        data["resolved"] = resolved
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "data": data,
        "locale": locale,
        "app_permissions": str(ADMIN_PERMISSIONS),
        "attachment_size_limit": 10 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id or user_id)},
    }
    user = _user(user_id, f"user{user_id % 100}")
    if guild_id is None:
        payload["context"] = 1
        payload["channel_id"] = str(CHANNEL_ID + 1)
        payload["channel"] = {"id": str(CHANNEL_ID + 1), "type": 1, "recipients": [user]}
        payload["user"] = user
    else:
        payload["context"] = 0
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
        payload["channel_id"] = str(CHANNEL_ID)
        payload["channel"] = text_channel(guild_id)
        payload["member"] = {
            "user": user,
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "permissions": str(permissions),
        }
    return payload


def text_channel(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """The #general text channel as Discord describes it."""
    return {
        "id": str(CHANNEL_ID),
        "type": 0,
        "guild_id": str(guild_id),
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def _role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "hoist": False,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def muted_channel(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """#quiet: @everyone (so the bot too) is denied Send Messages by a channel overwrite."""
    return {
        **text_channel(guild_id),
        "id": str(QUIET_CHANNEL_ID),
        "name": "quiet",
        "position": 1,
        # overwrite type 0 = role; the @everyone role's id is the guild id (Discord docs,
        # "Permissions": permission overwrites, and "Role Object")
        "permission_overwrites": [
            {"id": str(guild_id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
        ],
    }


def guild_create(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """A GUILD_CREATE payload as the guilds intent delivers it at start-up: roles (@everyone
    can view, send, embed, attach), #general and #quiet, and the bot's own member (Discord
    always includes the current user's member)."""
    bot_member = {
        "user": _user(BOT_USER_ID, "signalbot", bot=True),
        "roles": [str(BOT_ROLE_ID)],
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
    }
    return {
        "id": str(guild_id),
        "name": "Market club",
        "icon": None,
        "owner_id": str(ADMIN_ID),
        "roles": [
            _role(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            _role(BOT_ROLE_ID, "signalbot", 0, 1),
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": [text_channel(guild_id), muted_channel(guild_id)],
        "threads": [],
        "members": [bot_member],
        "voice_states": [],
        "presences": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }
