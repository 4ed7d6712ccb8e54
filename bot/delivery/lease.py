"""The holder's heartbeat: a process renews the leases of the claims it is working on.

A runner adds the key of each claim it won to a :class:`Holding` while it posts that delivery
and takes it out when done, whatever happened (sent, failed, or a database error between post
and mark). One heartbeat renews the held claims of the process's instance id, digest parts and
alerts alike (``Storage.renew_claims``), every third of the lease. A claim nobody works on any
more is not renewed: its lease ends and it is retried (after asking the platform) by whichever
process runs next, this one included. A process that dies stops renewing altogether.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable, Iterator
from datetime import timedelta

from bot.storage import Storage

log = logging.getLogger(__name__)


class Holding:
    """The keys of the claims a runner is working on now (what its heartbeat renews)."""

    def __init__(self) -> None:
        self.keys: set[Hashable] = set()

    @contextlib.contextmanager
    def hold(self, *keys: Hashable) -> Iterator[None]:
        """Count ``keys`` as held for the block (renewed), not after it, however it ends."""
        self.keys.update(keys)
        try:
            yield
        finally:
            self.keys.difference_update(keys)


async def _beat(storage: Storage, instance: str, lease: timedelta, holding: Holding) -> None:
    every = max(lease.total_seconds() / 3, 0.05)
    while True:
        await asyncio.sleep(every)
        if not holding.keys:
            continue
        try:
            await storage.renew_claims(instance, lease, only=set(holding.keys))
        except Exception as exc:  # the database blinked: the next beat tries again
            log.warning("claim heartbeat failed: %s", exc)


@contextlib.asynccontextmanager
async def renewing(
    storage: Storage, instance: str, lease: timedelta, holding: Holding
) -> AsyncIterator[None]:
    """Renew ``instance``'s claims in ``holding`` under ``lease`` for as long as the block runs."""
    beat = asyncio.create_task(_beat(storage, instance, lease, holding), name="claim-heartbeat")
    try:
        yield
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
