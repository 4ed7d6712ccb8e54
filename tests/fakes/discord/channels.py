"""The fake Discord's channel messages: ``POST`` and ``GET /channels/{id}/messages``.

What it does like Discord: a global limit of ``rate`` requests per rolling second on message
creates, answered with 429 ``{"retry_after", "global": true}`` (and the ``Via`` header
discord.py looks for); ``nonce`` + ``enforce_nonce`` returning the earlier message instead of
creating a second one (only with ``dedupe``; off, every POST creates a message, as after
Discord's few-minutes nonce window); 404 ``Unknown Channel`` (code 10003) for channels listed
in ``gone`` and 400 ``Invalid Form Body`` for those in ``failing``. ``delay`` holds every
response after the message is recorded (the fan-out of ``test_kill`` and ``--delay``). A
:class:`~tests.fakes.gate.Gate` holds posts with no clock until the test opens it: before they
are stored (``"store"``) or after (``"answer"``); opened with ``drop``, those waiting to be
stored are refused and never stored (their sender was killed before Discord had them).

``GET /channels/{id}/messages?after=&limit=`` lists the channel's messages like Discord:
``limit`` 1-100 (default 50), only ids greater than ``after``, the oldest ``limit`` of them,
newest first in the array, each with ``author`` and ``embeds``
(https://discord.com/developers/docs/resources/channel#get-channel-messages, as described by
discord-api-types' RESTGetAPIChannelMessagesQuery); 403 Missing Access (50001) for channels in
``no_history`` (the bot lacks Read Message History). Messages are written by ``author_id`` (the
id ``/users/@me`` gives the bot: the bot's recovery reads back only its own messages).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.discord.payloads import BOT_USER_ID, json_response, message
from tests.fakes.gate import Gate


@dataclass
class Created:
    """A message the fake created."""

    id: str
    channel: str
    nonce: str | None
    files: int
    payload: dict[str, Any]
    at: float


class ChannelMessages:
    """The message store behind the channel routes, with its rate limit, nonces and gate."""

    def __init__(
        self,
        *,
        rate: float = 50.0,
        delay: float = 0.0,
        dedupe: bool = True,
        author_id: str = str(BOT_USER_ID),
    ) -> None:
        self.rate = rate
        self.delay = delay
        self.dedupe = dedupe
        self.author_id = author_id
        self.gate: Gate | None = None  # POSTs arriving while set wait at it (see Gate)
        self.no_history: set[str] = set()
        self.gone: set[str] = set()
        self.failing: set[str] = set()
        self.created: list[Created] = []
        self.pending = 0  # POSTs received and not answered yet
        self.history_calls = 0
        self.posts = 0  # message creates received (limited ones too)
        self.limited = 0
        self.deduplicated = 0
        self._window: collections.deque[float] = collections.deque()
        self._nonces: dict[tuple[str, str], Created] = {}
        self._seq = itertools.count(1)

    def per_channel(self) -> collections.Counter[str]:
        """Messages created per channel."""
        return collections.Counter(c.channel for c in self.created)

    def summary(self) -> dict[str, Any]:
        """What was created and refused (``GET /_record``, read by the fan-out benchmark)."""
        created = [
            {"id": c.id, "channel": c.channel, "nonce": c.nonce, "files": c.files, "at": c.at}
            for c in self.created
        ]
        return {
            "created": created,
            "requests": self.posts,
            "limited": self.limited,
            "deduplicated": self.deduplicated,
        }

    def _snowflake(self) -> str:
        """A Discord-like id: the creation time in its high bits (``after`` filters by it)."""
        ms = int(time.time() * 1000) - 1_420_070_400_000
        return str((ms << 22) + next(self._seq) % (1 << 22))

    def _over_limit(self) -> float | None:
        """Seconds to wait if one more request now would exceed ``rate`` per rolling second."""
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate:
            return max(self._window[0] + 1.0 - now, 0.001)
        self._window.append(now)
        return None

    def _listed(self, c: Created) -> dict[str, Any]:
        return message(c.channel, c.payload, message_id=c.id, author_id=self.author_id)

    def list_messages(self, channel: str, query: dict[str, str]) -> web.Response:
        """``GET /channels/{channel}/messages``."""
        self.history_calls += 1
        if channel in self.no_history:
            return json_response({"message": "Missing Access", "code": 50001}, 403)
        after = int(query.get("after", "0"))
        limit = min(max(int(query.get("limit", "50")), 1), 100)
        mine = sorted(
            (c for c in self.created if c.channel == channel and int(c.id) > after),
            key=lambda c: int(c.id),
        )[:limit]
        return json_response([self._listed(c) for c in reversed(mine)])

    async def create_message(self, channel: str, payload: Any, files: int) -> web.Response:
        """``POST /channels/{channel}/messages`` with its JSON payload and ``files`` attached."""
        self.pending += 1
        try:
            return await self._create(channel, payload if isinstance(payload, dict) else {}, files)
        finally:
            self.pending -= 1

    async def _create(self, channel: str, payload: dict[str, Any], files: int) -> web.Response:
        self.posts += 1
        gate = self.gate  # the gate of the moment the request came in
        if gate is not None and gate.where == "store" and not await gate.wait():
            return json_response({"message": "never reached Discord", "code": 0}, 503)
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
            return json_response(body, 429, headers)
        if channel in self.gone:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        if channel in self.failing:
            return json_response({"message": "Invalid Form Body", "code": 50035}, 400)
        nonce = payload.get("nonce")
        key = (channel, str(nonce))
        if (
            self.dedupe
            and nonce is not None
            and payload.get("enforce_nonce")
            and key in self._nonces
        ):
            self.deduplicated += 1
            created = self._nonces[key]
        else:
            created = Created(self._snowflake(), channel, nonce, files, payload, time.monotonic())
            self.created.append(created)
            if nonce is not None:
                self._nonces[key] = created
        if self.delay:
            await asyncio.sleep(self.delay)
        if gate is not None and gate.where == "answer":
            await gate.wait()
        return json_response(self._listed(created))
