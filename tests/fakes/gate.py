"""A clockless gate for the platform fakes (Discord's and Slack's messages): where a post waits.

A test sets ``fake.gate = Gate("store")`` (posts wait *before* the fake stores them: claimed in
the ledger, not on the platform) or ``Gate("answer")`` (the fake stores each post, then holds
its answer: on the platform, not marked sent). It watches :attr:`Gate.waiting`, stops or kills
the bot, then calls :meth:`Gate.open`: every waiting post goes on, and so does any post arriving
later. ``open(drop=True)`` refuses instead the posts not stored yet, now and later (their sender
was killed before the platform had them): they are never stored. No clock decides anything.

A fake takes the gate of the moment a post came in, so a test can replace ``fake.gate`` (with
None, for a restart) once the posts of the stopped process are done (see
:func:`connections`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web


@dataclass
class Gate:
    """Where posts wait until the test calls :meth:`open` (``where``: before or after storing)."""

    where: Literal["store", "answer"]
    waiting: int = 0  # posts at the gate now
    _opened: asyncio.Event = field(default_factory=asyncio.Event)
    _drop: bool = False

    async def wait(self) -> bool:
        """Wait for :meth:`open`; False when the posts waiting are dropped."""
        self.waiting += 1
        try:
            await self._opened.wait()
        finally:
            self.waiting -= 1
        return not self._drop

    def open(self, *, drop: bool = False) -> None:
        """Let every waiting post go on (``drop``: refuse those not stored yet, unstored)."""
        self._drop = drop
        self._opened.set()


def connections(runner: web.AppRunner | None) -> int:
    """Connections the fake's server still has open.

    A connection of a process that died stays counted until the server has handled every
    request the process had sent on it (aiohttp drops it when its handler task ends), so 0
    after a kill means each of them has passed the gate it came in under (stored or refused).
    """
    server = runner.server if runner is not None else None
    return 0 if server is None else len(server.connections)
