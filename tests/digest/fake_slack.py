"""A fake Slack Web API on 127.0.0.1 for digest crash tests: posts, files, history with metadata.

What it does like Slack: ``chat.postMessage`` stores the message with its ``metadata`` and
answers a ``ts`` (Unix seconds with microseconds, increasing); Slack has no idempotency key, so
every call creates a message. ``delay`` holds the answer after the message is stored (a client
killed meanwhile has posted without knowing it; ``test_takeover``). A
:class:`~tests.digest.gate.Gate` holds posts with no clock until the test opens it: before they
are stored (``"store"``) or after (``"answer"``); opened with ``drop``, those waiting to be
stored are refused (``ok: false``, ``internal_error``) and never stored.
``conversations.history`` returns the channel's messages newer than ``oldest``, newest first,
``limit`` per page with ``has_more`` and ``response_metadata.next_cursor``, and each message's
``metadata`` only when ``include_all_metadata`` is true
(https://api.slack.com/methods/conversations.history, https://api.slack.com/metadata/using);
channels in ``no_history`` answer ``missing_scope`` (no ``channels:history``). The external
file upload (``files.getUploadURLExternal``, the upload URL, ``files.completeUploadExternal``)
is accepted and counted.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.digest.gate import Gate, connections


@dataclass
class Posted:
    """A message the fake stored."""

    ts: str
    channel: str
    metadata: dict[str, Any] | None
    text: str


@dataclass
class FakeSlackDigest:
    """The fake; ``url`` is the API base to give the bot (``SLACK_API_BASE_URL``)."""

    delay: float = 0.0
    gate: Gate | None = None  # chat.postMessage calls arriving while set wait at it (see Gate)
    no_history: set[str] = field(default_factory=set)
    created: list[Posted] = field(default_factory=list)
    pending: int = 0
    history_calls: int = 0
    uploads: int = 0
    url: str = ""
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeSlackDigest:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def connections(self) -> int:
        """Connections open to the server (see :func:`tests.digest.gate.connections`)."""
        return connections(self._runner)

    def per_channel(self) -> collections.Counter[str]:
        """Messages stored per channel."""
        return collections.Counter(p.channel for p in self.created)

    def per_part(self) -> collections.Counter[tuple[str, str]]:
        """Messages stored per (channel, digest key of the metadata)."""
        return collections.Counter(
            (p.channel, str(((p.metadata or {}).get("event_payload") or {}).get("key")))
            for p in self.created
        )

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if request.content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif request.content_type == "application/x-www-form-urlencoded":
            params.update((await request.post()).items())
        return params

    def _ts(self) -> str:
        return f"{time.time():.0f}.{next(self._seq):06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        gate = self.gate  # the gate of the moment the call came in
        params = await self._params(request)
        if method == "chat.postMessage":
            self.pending += 1
            try:
                return await self._post(params, gate)
            finally:
                self.pending -= 1
        if method == "conversations.history":
            return self._history(params)
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._seq):08d}"
            base = self.url.removesuffix("/api/")
            return web.json_response(
                {"ok": True, "file_id": file_id, "upload_url": f"{base}/upload/{file_id}"}
            )
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files", "[]"))
            return web.json_response({"ok": True, "files": [{"id": f["id"]} for f in files]})
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T0", "user_id": "U0", "bot_id": "B0"})
        return web.json_response({"ok": True})

    async def _post(self, params: dict[str, Any], gate: Gate | None) -> web.Response:
        if gate is not None and gate.where == "store" and not await gate.wait():
            # the sender is gone: Slack never had the message
            return web.json_response({"ok": False, "error": "internal_error"})
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        channel = str(params.get("channel"))
        # a ts is a Unix time with a unique suffix: ``oldest`` compares against it
        posted = Posted(self._ts(), channel, metadata, str(params.get("text") or ""))
        self.created.append(posted)
        if self.delay:
            await asyncio.sleep(self.delay)
        if gate is not None and gate.where == "answer":
            await gate.wait()
        return web.json_response({"ok": True, "channel": channel, "ts": posted.ts})

    def _history(self, params: dict[str, Any]) -> web.Response:
        self.history_calls += 1
        channel = str(params.get("channel"))
        if channel in self.no_history:
            return web.json_response({"ok": False, "error": "missing_scope"})
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        offset = int(params.get("cursor") or 0)
        with_metadata = str(params.get("include_all_metadata")).lower() in ("1", "true")
        newest_first = [
            p for p in reversed(self.created) if p.channel == channel and float(p.ts) > oldest
        ]
        page = newest_first[offset : offset + limit]
        more = offset + limit < len(newest_first)
        messages = [
            {"type": "message", "ts": p.ts, "text": p.text, "bot_id": "B0"}
            | ({"metadata": p.metadata} if with_metadata and p.metadata else {})
            for p in page
        ]
        return web.json_response(
            {
                "ok": True,
                "messages": messages,
                "has_more": more,
                "response_metadata": {"next_cursor": str(offset + limit) if more else ""},
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        await request.read()
        self.uploads += 1
        return web.Response(text="OK")
