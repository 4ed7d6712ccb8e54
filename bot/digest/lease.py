"""The holder's heartbeat: a process renews the leases of the claims it holds while it posts.

One heartbeat renews every claim of the process's instance id, digest parts and alerts alike
(``Storage.renew_claims``), every third of the lease; a process that dies stops renewing, and
its claims are taken over once their lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from bot.storage import Storage

log = logging.getLogger(__name__)


async def _beat(storage: Storage, instance: str, lease: timedelta) -> None:
    every = max(lease.total_seconds() / 3, 0.05)
    while True:
        await asyncio.sleep(every)
        try:
            await storage.renew_claims(instance, lease)
        except Exception as exc:  # the database blinked: the next beat tries again
            log.warning("claim heartbeat failed: %s", exc)


@contextlib.asynccontextmanager
async def renewing(storage: Storage, instance: str, lease: timedelta) -> AsyncIterator[None]:
    """Renew ``instance``'s claims under ``lease`` for as long as the block runs."""
    beat = asyncio.create_task(_beat(storage, instance, lease), name="claim-heartbeat")
    try:
        yield
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
