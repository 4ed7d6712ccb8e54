"""A fake Discord REST API on 127.0.0.1 for digest tests and the fan-out benchmark.

What it does like Discord: ``GET /users/@me`` (login), ``POST /channels/{id}/messages`` with a
JSON body or multipart (``payload_json`` + ``files[n]``), a global limit of ``rate`` requests per
rolling second answered with 429 ``{"retry_after", "global": true}`` (and the ``Via`` header
discord.py looks for), ``nonce`` + ``enforce_nonce`` returning the earlier message instead of
creating a second one (only with ``dedupe``; off, every POST creates a message, as after
Discord's few-minutes nonce window), and 404 ``Unknown Channel`` (code 10003) for channels
listed as gone. ``delay`` holds every response after the message is recorded (the fan-out
of ``test_kill`` and ``--delay``). A :class:`~tests.digest.gate.Gate` holds posts with no clock
until the test opens it: before they are stored (``"store"``) or after (``"answer"``); opened
with ``drop``, those waiting to be stored are refused and never stored (their sender was killed
before Discord had them). ``GET /channels/{id}/messages?after=&limit=`` lists the channel's
messages like Discord: ``limit`` 1-100 (default 50), only ids greater than ``after``, the
oldest ``limit`` of them, newest first in the array, each with ``author`` and ``embeds``
(https://discord.com/developers/docs/resources/channel#get-channel-messages, as described by
discord-api-types' RESTGetAPIChannelMessagesQuery); 403 Missing Access (50001) for channels in
``no_history`` (the bot lacks Read Message History). ``GET /_record`` returns what was created.
Messages are written by ``author_id`` (the id ``/users/@me`` gives the bot: the bot's recovery
reads back only its own messages). :meth:`FakeDiscord.add_routes` mounts the channel routes on
another app (the gateway fake of ``tests.bot.discord``, for a full ``signalbot run``).

Run in-process (:class:`FakeDiscord`) or as a process: ``python -m tests.digest.fake_discord
--rate 50 [--delay 0.05]`` prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.digest.gate import Gate, connections

API = "/api/v10"
ME = "4242"  # the bot user's id


def _json(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with exactly ``application/json`` (what discord.py checks for)."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class Created:
    """A message the fake created."""

    id: str
    channel: str
    nonce: str | None
    files: int
    payload: dict[str, Any]
    at: float


@dataclass
class FakeDiscord:
    """The fake server; ``url`` is the API base to give the bot (``DISCORD_API_BASE_URL``)."""

    rate: float = 50.0
    delay: float = 0.0
    dedupe: bool = True
    author_id: str = ME
    gate: Gate | None = None  # POSTs arriving while set wait at it (see Gate)
    no_history: set[str] = field(default_factory=set)
    pending: int = 0  # POSTs received and not answered yet
    history_calls: int = 0
    gone: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)
    created: list[Created] = field(default_factory=list)
    requests: int = 0
    limited: int = 0
    deduplicated: int = 0
    port: int = 0
    _window: collections.deque[float] = field(default_factory=collections.deque)
    _nonces: dict[tuple[str, str], Created] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def connections(self) -> int:
        """Connections open to its server (see :func:`tests.digest.gate.connections`; 0 when
        its routes are mounted on another app's server)."""
        return connections(self._runner)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get(f"{API}/users/@me", self._me)
        self.add_routes(app)
        app.router.add_get("/_record", self._record)
        return app

    def add_routes(self, app: web.Application) -> None:
        """``POST`` and ``GET /channels/{id}/messages`` (the routes the digest uses) on ``app``."""
        app.router.add_post(f"{API}/channels/{{channel}}/messages", self._create)
        app.router.add_get(f"{API}/channels/{{channel}}/messages", self._list)

    async def start(self, port: int = 0) -> FakeDiscord:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _snowflake(self) -> str:
        """A Discord-like id: the creation time in its high bits (``after`` filters by it)."""
        ms = int(time.time() * 1000) - 1_420_070_400_000
        return str((ms << 22) + next(self._ids) % (1 << 22))

    def per_channel(self) -> collections.Counter[str]:
        """Messages created per channel."""
        return collections.Counter(c.channel for c in self.created)

    def _over_limit(self) -> float | None:
        """Seconds to wait if one more request now would exceed ``rate`` per rolling second."""
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate:
            return max(self._window[0] + 1.0 - now, 0.001)
        self._window.append(now)
        return None

    async def _me(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": self.author_id,
                "username": "fake",
                "discriminator": "0",
                "avatar": None,
                "bot": True,
            }
        )

    async def _list(self, request: web.Request) -> web.Response:
        self.history_calls += 1
        channel = request.match_info["channel"]
        if channel in self.no_history:
            return _json({"message": "Missing Access", "code": 50001}, status=403)
        after = int(request.query.get("after", "0"))
        limit = min(max(int(request.query.get("limit", "50")), 1), 100)
        mine = sorted(
            (c for c in self.created if c.channel == channel and int(c.id) > after),
            key=lambda c: int(c.id),
        )[:limit]
        return _json([self._message(c) for c in reversed(mine)])

    def _message(self, c: Created) -> dict[str, Any]:
        return {
            "id": c.id,
            "channel_id": c.channel,
            "author": {"id": self.author_id, "username": "fake", "bot": True},
            "content": c.payload.get("content") or "",
            "embeds": c.payload.get("embeds") or [],
        }

    async def _create(self, request: web.Request) -> web.Response:
        self.pending += 1
        try:
            return await self._create_now(request)
        finally:
            self.pending -= 1

    async def _create_now(self, request: web.Request) -> web.Response:
        self.requests += 1
        gate = self.gate  # the gate of the moment the request came in
        if gate is not None and gate.where == "store" and not await gate.wait():
            return _json({"message": "never reached Discord", "code": 0}, status=503)
        wait = self._over_limit()
        if wait is not None:
            self.limited += 1
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": True}
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(wait))),
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
            }
            return _json(body, status=429, headers=headers)
        channel = request.match_info["channel"]
        if channel in self.gone:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel in self.failing:
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        files = 0
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            payload = json.loads(str(form["payload_json"]))
            files = sum(1 for key in form if key.startswith("files["))
        else:
            payload = await request.json()
        nonce = payload.get("nonce")
        key = (channel, str(nonce))
        if (
            self.dedupe
            and nonce is not None
            and payload.get("enforce_nonce")
            and key in self._nonces
        ):
            self.deduplicated += 1
            message = self._nonces[key]
        else:
            message = Created(self._snowflake(), channel, nonce, files, payload, time.monotonic())
            self.created.append(message)
            if nonce is not None:
                self._nonces[key] = message
        if self.delay:
            await asyncio.sleep(self.delay)
        if gate is not None and gate.where == "answer":
            await gate.wait()
        return _json({"id": message.id, "channel_id": channel, "nonce": nonce})

    async def _record(self, request: web.Request) -> web.Response:
        return _json(
            {
                "created": [
                    {
                        "id": c.id,
                        "channel": c.channel,
                        "nonce": c.nonce,
                        "files": c.files,
                        "at": c.at,
                    }
                    for c in self.created
                ],
                "requests": self.requests,
                "limited": self.limited,
                "deduplicated": self.deduplicated,
            }
        )


async def _serve(args: argparse.Namespace) -> None:
    fake = await FakeDiscord(rate=args.rate, delay=args.delay).start(args.port)
    print(f"PORT {fake.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--delay", type=float, default=0.0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
