"""Socket Mode watchdog: the WebSocket can drop without slack_sdk noticing or reconnecting
(python-slack-sdk #1110, #1446, #1701); check it periodically and reconnect.

slack_sdk's aiohttp ``SocketModeClient.is_connected()`` is false when the session is closed,
marked stale, or ping/pong has failed for four ping intervals; ``connect_to_new_endpoint()``
takes the client's connect lock, asks ``apps.connections.open`` for a new URL and connects when
it is still disconnected. :attr:`SocketWatchdog.connected` is what the health endpoint reports.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

CHECK_EVERY = 10.0  # seconds between checks
RECONNECT_TIMEOUT = 30.0  # seconds one reconnection may take


class SocketWatchdog:
    """Checks ``client`` every ``interval`` seconds; reconnects it when it is not connected."""

    def __init__(self, client: Any, *, interval: float = CHECK_EVERY) -> None:
        self.client = client
        self.interval = interval
        self.connected = False
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        """One check (and a reconnection when needed); the connection state afterwards."""
        try:
            ok = bool(await self.client.is_connected())
            if not ok and not getattr(self.client, "closed", False):
                log.warning("slack socket mode disconnected; reconnecting")
                async with asyncio.timeout(RECONNECT_TIMEOUT):
                    await self.client.connect_to_new_endpoint()
                ok = bool(await self.client.is_connected())
                if ok:
                    self.reconnects += 1
                    log.info("slack socket mode reconnected reconnects=%d", self.reconnects)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an outage: say so, try again at the next check
            log.warning("slack socket mode reconnect failed: %s", type(exc).__name__)
            ok = False
        self.connected = ok
        return ok

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.check()

    def start(self) -> None:
        """Check in the background until :meth:`stop`."""
        if self._task is None:
            self.connected = True  # just connected by the handler
            self._task = asyncio.create_task(self._run(), name="slack-socket-watchdog")

    async def stop(self) -> None:
        """Stop checking."""
        self.connected = False
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
