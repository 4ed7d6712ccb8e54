"""The fake Discord's REST API: every request recorded, canned answers scripted by the test.

Answers what discord.py needs to log in (``/users/@me``, ``/oauth2/applications/@me``,
``/gateway/bot``), command sync (``PUT .../commands``, echoed back with ids), interaction
callbacks (one per interaction: a second gets 40060, like Discord), webhook follow-ups, and the
channel message routes of :mod:`tests.fakes.discord.channels`. Multipart bodies are split into
``payload_json`` and ``files[n]``. Responses are ``application/json`` exactly (discord.py
checks). ``script`` queues canned responses (429, 404 ...) for a method and path; they come
before anything else, the channel routes included.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.discord import payloads
from tests.fakes.discord.payloads import (
    ALREADY_ACKNOWLEDGED,
    API_PREFIX,
    CHANNEL_ID,
    json_response,
)

MESSAGES = re.compile(r"/channels/([^/]+)/messages")


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


def callback(calls: Sequence[Recorded]) -> Recorded:
    """The one interaction callback among ``calls``."""
    found = [c for c in calls if c.path.endswith("/callback")]
    assert len(found) == 1, [c.path for c in calls]
    return found[0]


def content(record: Recorded) -> str:
    """The text of a callback (``data.content``) or follow-up (``content``)."""
    body = record.json.get("data", record.json)
    return str(body.get("content", ""))


class Rest:
    """The REST side's state: recorded requests, scripted answers, synced commands (the channel
    routes go to ``create_message`` / ``list_messages`` of
    :class:`~tests.fakes.discord.channels.ChannelMessages`, mixed in by the server)."""

    gateway_url: str
    author_id: str
    guild_count: int
    recommended_shards: int

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope -> last synced payload
        self.acknowledged: set[str] = set()  # interaction ids that got their one response
        self._scripts: dict[tuple[str, str], list[tuple[int, Any, dict[str, str]]]] = {}
        self._changed = asyncio.Condition()

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

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every ``/api/v10/...`` request: recorded, then scripted, channel or built-in answer."""
        record = await self._record(request)
        queued = self._scripts.get((record.method, record.path))
        if queued:
            status, body, headers = queued.pop(0)
            return json_response(body, status, headers)
        if match := MESSAGES.fullmatch(record.path):
            if record.method == "POST":
                files = sum(1 for name in record.files if name.startswith("files["))
                return await self.create_message(match.group(1), record.json, files)
            if record.method == "GET":
                return self.list_messages(match.group(1), record.query)
        return self._answer(record)

    def _answer(self, r: Recorded) -> web.StreamResponse:
        m, p = r.method, r.path
        if (m, p) == ("GET", "/users/@me"):
            return json_response(payloads.user(int(self.author_id), "signalbot", bot=True))
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            return json_response(payloads.application(self.guild_count))
        if (m, p) == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 16}
            return json_response(
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
            return json_response([payloads.command(c, match.group(1)) for c in r.json])
        if m == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", p):
            return self._callback(p.split("/")[2], r.json or {})
        if m == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", p):
            return json_response(payloads.message(str(CHANNEL_ID), r.json))
        if m == "DELETE" and p.endswith("/messages/@original"):
            return web.Response(status=204)
        if m == "PATCH" and p.endswith("/messages/@original"):
            return json_response(payloads.message(str(CHANNEL_ID), r.json))
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> web.Response:
        if interaction_id in self.acknowledged:
            # Discord accepts exactly one initial response per interaction; any later one is
            # refused with 40060 "Interaction has already been acknowledged" (HTTP 400).
            return json_response(ALREADY_ACKNOWLEDGED, 400)
        self.acknowledged.add(interaction_id)
        flags = (body.get("data") or {}).get("flags", 0)
        return json_response(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(flags & 64),
                }
            }
        )
