"""The fake Slack's messages: ``chat.postMessage`` stores them, ``conversations.history`` lists them.

What it does like Slack: ``chat.postMessage`` stores the message with its ``metadata`` and
answers a ``ts`` (Unix seconds with a unique, increasing suffix); Slack has no idempotency key,
so every call creates a message. ``delay`` holds the answer after the message is stored (a
client killed meanwhile has posted without knowing it; ``test_takeover``). A
:class:`~tests.fakes.gate.Gate` holds posts with no clock until the test opens it: before they
are stored (``"store"``) or after (``"answer"``); opened with ``drop``, those waiting to be
stored are refused (``ok: false``, ``internal_error``) and never stored.
``conversations.history`` returns the channel's messages newer than ``oldest``, newest first,
``limit`` per page with ``has_more`` and ``response_metadata.next_cursor``, and each message's
``metadata`` only when ``include_all_metadata`` is true
(https://api.slack.com/methods/conversations.history, https://api.slack.com/metadata/using);
channels in ``no_history`` answer ``missing_scope`` (no ``channels:history``).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.gate import Gate


@dataclass
class Posted:
    """A message the fake stored."""

    ts: str
    channel: str
    metadata: dict[str, Any] | None
    text: str


class Messages:
    """The channels' messages, the gate posts wait at, and the history Slack gives back."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.gate: Gate | None = None  # chat.postMessage calls arriving while set wait at it
        self.no_history: set[str] = set()
        self.created: list[Posted] = []
        self.pending = 0  # chat.postMessage calls received and not answered yet
        self.history_calls = 0
        self._seq = itertools.count(1)

    def per_channel(self) -> collections.Counter[str]:
        """Messages stored per channel."""
        return collections.Counter(p.channel for p in self.created)

    def per_part(self) -> collections.Counter[tuple[str, str]]:
        """Messages stored per (channel, digest key of the metadata)."""
        return collections.Counter(
            (p.channel, str(((p.metadata or {}).get("event_payload") or {}).get("key")))
            for p in self.created
        )

    def _ts(self) -> str:
        # a ts is a Unix time with a unique suffix: ``oldest`` compares against it
        return f"{time.time():.0f}.{next(self._seq):06d}"

    async def post_message(self, params: dict[str, Any]) -> web.Response:
        """``chat.postMessage``: stored (unless the gate drops it), then answered."""
        gate = self.gate  # the gate of the moment the call came in
        self.pending += 1
        try:
            if gate is not None and gate.where == "store" and not await gate.wait():
                # the sender is gone: Slack never had the message
                return web.json_response({"ok": False, "error": "internal_error"})
            metadata = params.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            channel = str(params.get("channel"))
            posted = Posted(self._ts(), channel, metadata, str(params.get("text") or ""))
            self.created.append(posted)
            if self.delay:
                await asyncio.sleep(self.delay)
            if gate is not None and gate.where == "answer":
                await gate.wait()
            return web.json_response({"ok": True, "channel": channel, "ts": posted.ts})
        finally:
            self.pending -= 1

    def history(self, params: dict[str, Any]) -> web.Response:
        """``conversations.history``."""
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
            {"type": "message", "ts": p.ts, "text": p.text, "bot_id": "BBOT"}
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
