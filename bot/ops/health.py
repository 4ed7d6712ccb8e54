"""Readiness of the running bot: database, each adapter's connections, the digest scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import text

from bot.adapters.base import Adapter
from bot.storage import Storage

log = logging.getLogger(__name__)

#: Seconds one readiness check may take (a probe must answer well within its own timeout).
CHECK_TIMEOUT = 2.0


class Scheduler(Protocol):
    """What readiness reads from :class:`bot.digest.scheduler.DigestScheduler`."""

    is_leader: bool
    scheduler: Any


@dataclass
class Readiness:
    """The parts ``/readyz`` checks; ``digests`` is None when the scheduler could not start."""

    storage: Storage
    adapters: Sequence[Adapter] = ()
    digests: Scheduler | None = None
    expect_digests: bool = True
    problems: list[str] = field(default_factory=list)

    async def database(self) -> bool:
        """``SELECT 1`` answers within :data:`CHECK_TIMEOUT`."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), self.storage.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("readiness: database unreachable (%s)", type(exc).__name__)
            return False
        return True

    async def adapter(self, adapter: Adapter) -> dict[str, bool]:
        """The adapter's own report; a failing or hanging report counts as not ready."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                return dict(await adapter.health())
        except Exception:
            log.warning("readiness: adapter=%s health check failed", adapter.name, exc_info=True)
            return {"health": False}

    def scheduler_running(self) -> bool:
        """The digest scheduler exists and its APScheduler is running."""
        inner = self.digests.scheduler if self.digests is not None else None
        return bool(inner is not None and getattr(inner, "running", False))

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(ready, body): ready when the database, every adapter part and the scheduler are up.

        Leadership is reported, not required: a follower process is ready too.
        """
        adapters = {a.name: await self.adapter(a) for a in self.adapters}
        checks: dict[str, Any] = {
            "database": await self.database(),
            "adapters": adapters,
        }
        if self.expect_digests:
            checks["scheduler"] = self.scheduler_running()
        down = [name for name in ("database", "scheduler") if checks.get(name) is False]
        down += [
            f"{a}.{part}" for a, parts in adapters.items() for part, ok in parts.items() if not ok
        ]
        body: dict[str, Any] = {
            "status": "ok" if not down else "unavailable",
            "down": down,
            "leader": bool(self.digests.is_leader) if self.digests is not None else False,
            **checks,
        }
        return not down, body
