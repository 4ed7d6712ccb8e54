"""A local fake of three webhook receivers on 127.0.0.1: the JSON webhook, Discord's and Slack's
incoming webhooks. Each verifies what its platform verifies and refuses what it refuses.

- **JSON** (``POST /json/<name>``; our own format, ``docs/webhooks.md``): the signature header
  ``X-Signalbot-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t." + body>`` checked by an
  implementation written here from the document (not the bot's), ``t`` within
  :data:`TOLERANCE` of the fake's wall clock; an ``Idempotency-Key`` header required; a
  second delivery with a key already seen is acknowledged and not stored again (what a
  receiver does with the key); over 1 MiB is 413.
- **Discord** (``POST /api/webhooks/<id>/<token>``): per
  https://discord.com/developers/docs/resources/webhook#execute-webhook, a JSON body or
  multipart/form-data with ``payload_json`` and ``files[n]``; with ``wait=true`` the answer is
  the created message (its ``id``), without it 204; a message needs ``content``, ``embeds``
  or files (else 400, code 50006 Cannot send an empty message); at most 10 embeds and 2,000
  characters of content (400, code 50035 Invalid Form Body); a wrong token is 401 (code 50027
  Invalid Webhook Token), a deleted webhook 404 (code 10015 Unknown Webhook); over the rate
  limit 429 with ``retry_after`` in seconds and ``Retry-After``
  (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit).
- **Slack** (``POST /services/<team>/<bot>/<token>``): per
  https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks, 200 with the text
  ``ok``; errors as plain text: ``invalid_payload`` (400: not JSON, or neither ``text`` nor
  ``blocks``), ``no_service`` (404: the webhook was removed), ``channel_is_archived`` (410),
  ``too_many_attachments`` / more than 50 blocks (400); over the rate limit 429 with
  ``Retry-After`` (https://docs.slack.dev/apis/web-api/rate-limits: incoming webhooks, about
  one message a second).

Rate limits are kept per hook over a sliding minute of the fake's ``clock`` (pass the test's
clock: nothing here sleeps). A :class:`~tests.fakes.gate.Gate` holds posts before they are
stored (``"store"``) or after (``"answer"``), as in the other platform fakes.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.gate import Gate

#: Seconds a JSON webhook's timestamp may be off the receiver's clock (a replay window).
TOLERANCE = 300
MAX_JSON_BODY = 1024 * 1024


@dataclass
class Hook:
    """One receiver: its kind, secret, messages per minute, and whether it still exists."""

    kind: str
    secret: str | None = None
    per_minute: int = 60
    deleted: bool = False
    sent: collections.deque[float] = field(default_factory=collections.deque)


@dataclass
class Received:
    """A message the fake stored."""

    kind: str
    hook: str
    body: dict[str, Any]
    files: list[tuple[str, bytes]]
    headers: dict[str, str]
    at: float


def verify_json_signature(secret: str, header: str, body: bytes, now: float) -> bool:
    """The receiver's check, written from docs/webhooks.md (not the bot's code): parse
    ``t=…,v1=…``, recompute ``HMAC-SHA256(secret, f"{t}." + body)``, compare in constant time,
    refuse a ``t`` further than :data:`TOLERANCE` from ``now``."""
    fields = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        stamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - stamp) > TOLERANCE:
        return False
    mac = hmac.new(secret.encode("utf-8"), str(stamp).encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), fields.get("v1", ""))


class FakeWebhooks:
    """The three receivers; ``messages`` stored, ``rejected`` (hook, status, reason)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.wall = wall
        self.hooks: dict[str, Hook] = {}
        self.messages: list[Received] = []
        self.rejected: list[tuple[str, int, str]] = []
        self.keys: set[str] = set()  # Idempotency-Keys the JSON receiver has seen
        self.gate: Gate | None = None
        self.base_url = ""
        self.requests = 0
        self._ids = itertools.count(1_200_000_000_000_000_000)
        self._runner: web.AppRunner | None = None

    # --- hooks ------------------------------------------------------------------------------

    def json_hook(self, name: str, secret: str | None = None, per_minute: int = 60) -> str:
        """A JSON receiver; its URL."""
        self.hooks[name] = Hook("json", secret, per_minute)
        return f"{self.base_url}/json/{name}"

    def discord_hook(self, name: str, per_minute: int = 30) -> str:
        """A Discord incoming webhook; its URL (``name`` is its token)."""
        self.hooks[name] = Hook("discord", None, per_minute)
        return f"{self.base_url}/api/webhooks/1234567890/{name}"

    def slack_hook(self, name: str, per_minute: int = 60) -> str:
        """A Slack incoming webhook; its URL (``name`` is its token)."""
        self.hooks[name] = Hook("slack", None, per_minute)
        return f"{self.base_url}/services/T0001/B0001/{name}"

    def of(self, name: str) -> list[Received]:
        """Messages stored for hook ``name``, in order."""
        return [m for m in self.messages if m.hook == name]

    # --- serving ----------------------------------------------------------------------------

    async def start(self) -> FakeWebhooks:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/json/{name}", self._json)
        app.router.add_post("/api/webhooks/{id}/{token}", self._discord)
        app.router.add_post("/services/{team}/{bot}/{token}", self._slack)
        app.router.add_get("/_record", self._record)
        self._runner = web.AppRunner(app, access_log=None)  # tests read the bot's log only
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self.gate is not None:
            self.gate.open(drop=True)
        if self._runner is not None:
            await self._runner.cleanup()

    def _reject(self, name: str, status: int, reason: str) -> None:
        self.rejected.append((name, status, reason))

    def _limited(self, hook: Hook) -> float | None:
        """Seconds until ``hook`` may post again, or None when it may now (and count it)."""
        now = self.clock()
        while hook.sent and hook.sent[0] <= now - 60.0:
            hook.sent.popleft()
        if len(hook.sent) >= hook.per_minute:
            return max(hook.sent[0] + 60.0 - now, 0.001)
        hook.sent.append(now)
        return None

    async def _store(self, received: Received) -> bool:
        gate = self.gate
        if gate is not None and gate.where == "store" and not await gate.wait():
            return False
        self.messages.append(received)
        if gate is not None and gate.where == "answer":
            await gate.wait()
        return True

    async def _record(self, request: web.Request) -> web.Response:
        """What the fake saw, for a benchmark in another process."""
        gaps: list[float] = []
        by_hook: dict[str, list[float]] = {}
        for m in self.messages:
            by_hook.setdefault(m.hook, []).append(m.at)
        for times in by_hook.values():
            gaps += [b - a for a, b in itertools.pairwise(sorted(times))]
        return web.json_response(
            {
                "messages": len(self.messages),
                "hooks": len(by_hook),
                "first": min((m.at for m in self.messages), default=0.0),
                "last": max((m.at for m in self.messages), default=0.0),
                "min_gap": min(gaps, default=0.0),
                "rejected": len(self.rejected),
                "requests": self.requests,
            }
        )

    # --- JSON -------------------------------------------------------------------------------

    async def _json(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        name = request.match_info["name"]
        hook = self.hooks.get(name)
        if hook is None or hook.deleted:
            self._reject(name, 404, "unknown")
            return web.Response(status=404, text="unknown receiver")
        body = await request.read()
        if len(body) > MAX_JSON_BODY:
            self._reject(name, 413, "too large")
            return web.Response(status=413, text="too large")
        if hook.secret is not None:
            header = request.headers.get("X-Signalbot-Signature", "")
            if not verify_json_signature(hook.secret, header, body, self.wall()):
                self._reject(name, 401, "bad signature")
                return web.Response(status=401, text="bad signature")
        key = request.headers.get("Idempotency-Key")
        if not key:
            self._reject(name, 400, "no idempotency key")
            return web.Response(status=400, text="Idempotency-Key required")
        wait = self._limited(hook)
        if wait is not None:
            self._reject(name, 429, "rate limit")
            return web.Response(status=429, headers={"Retry-After": f"{wait:.3f}"})
        if key in self.keys:  # a retry of a delivery already had: acknowledged, not stored
            return web.json_response({"id": key, "duplicate": True})
        received = Received("json", name, json.loads(body), [], dict(request.headers), self.clock())
        if not await self._store(received):
            return web.Response(status=500, text="receiver gone")
        self.keys.add(key)  # only what was stored counts as had
        return web.json_response({"id": key})

    # --- Discord ----------------------------------------------------------------------------

    async def _discord(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        name = request.match_info["token"]
        hook = self.hooks.get(name)
        if hook is None or hook.kind != "discord":
            self._reject(name, 401, "invalid token")
            return web.json_response(
                {"code": 50027, "message": "Invalid Webhook Token"}, status=401
            )
        if hook.deleted:
            self._reject(name, 404, "unknown webhook")
            return web.json_response({"code": 10015, "message": "Unknown Webhook"}, status=404)
        files: list[tuple[str, bytes]] = []
        if request.content_type == "multipart/form-data":
            payload: dict[str, Any] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                assert isinstance(part, BodyPartReader)
                data = await part.read()
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.name and part.name.startswith("files["):
                    files.append((str(part.filename), bytes(data)))
        else:
            payload = await request.json()
        problem = _discord_problem(payload, files)
        if problem is not None:
            self._reject(name, 400, problem[1])
            return web.json_response({"code": problem[0], "message": problem[1]}, status=400)
        wait = self._limited(hook)
        if wait is not None:
            self._reject(name, 429, "rate limit")
            return web.json_response(
                {"message": "You are being rate limited.", "retry_after": wait, "global": False},
                status=429,
                headers={"Retry-After": f"{wait:.3f}"},
            )
        received = Received("discord", name, payload, files, dict(request.headers), self.clock())
        if not await self._store(received):
            return web.json_response({"message": "internal error"}, status=500)
        if request.query.get("wait") != "true":
            return web.Response(status=204)
        return web.json_response({"id": str(next(self._ids)), **payload})

    # --- Slack ------------------------------------------------------------------------------

    async def _slack(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        name = request.match_info["token"]
        hook = self.hooks.get(name)
        if hook is None or hook.kind != "slack" or hook.deleted:
            self._reject(name, 404, "no_service")
            return web.Response(status=404, text="no_service")
        try:
            payload = json.loads(await request.read())
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
            self._reject(name, 400, "invalid_payload")
            return web.Response(status=400, text="invalid_payload")
        if len(payload.get("blocks") or []) > 50:
            self._reject(name, 400, "invalid_blocks")
            return web.Response(status=400, text="invalid_blocks")
        wait = self._limited(hook)
        if wait is not None:
            self._reject(name, 429, "rate limit")
            return web.Response(status=429, text="rate_limited", headers={"Retry-After": "1"})
        received = Received("slack", name, payload, [], dict(request.headers), self.clock())
        if not await self._store(received):
            return web.Response(status=500, text="internal_error")
        return web.Response(text="ok")


def _discord_problem(
    payload: dict[str, Any], files: list[tuple[str, bytes]]
) -> tuple[int, str] | None:
    """Discord's refusal of an Execute Webhook body, or None."""
    embeds = payload.get("embeds") or []
    if not (payload.get("content") or embeds or files):
        return 50006, "Cannot send an empty message"
    if len(embeds) > 10 or len(str(payload.get("content") or "")) > 2000:
        return 50035, "Invalid Form Body"
    return None


async def _serve(hooks: int, per_minute: int) -> None:
    """``python -m tests.fakes.webhooks``: JSON receivers ``t0``… in a process of their own (the
    benchmark); prints ``listening PORT``; ``GET /_record`` gives what it saw."""
    import asyncio

    fake = FakeWebhooks()
    for i in range(hooks):
        fake.hooks[f"t{i}"] = Hook("json", None, per_minute)

    await fake.start()
    print(f"listening {fake.base_url.rsplit(':', 1)[1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    import argparse
    import asyncio

    parser = argparse.ArgumentParser()
    parser.add_argument("--hooks", type=int, default=1000)
    parser.add_argument("--per-minute", type=int, default=20)
    options = parser.parse_args()
    asyncio.run(_serve(options.hooks, options.per_minute))
