"""Readiness of the running bot: database, each adapter's connections, the digest scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text

from bot.adapters.base import Adapter
from bot.storage import Storage
from bot.storage.sqlite_file import MIN_FREE_BYTES, file_problem, identity

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
    problems: dict[str, str] = field(default_factory=dict)
    #: free bytes a SQLite file's disk needs to count as ready
    min_free: int = MIN_FREE_BYTES

    def __post_init__(self) -> None:
        url = self.storage.engine.url
        name = url.database or ""
        memory = name in ("", ":memory:") or name.startswith("file:")
        self._sqlite = None if url.get_backend_name() != "sqlite" or memory else Path(name)
        self._opened = identity(self._sqlite) if self._sqlite is not None else None

    async def _probe(self) -> str | None:
        """What keeps the database from taking a write (None: nothing).

        SQLite: the file opened at start-up is still there, writable, with free disk space,
        and answers. PostgreSQL: a transaction of its own takes a transaction id (the first
        step of any write; refused on a standby) and is not read-only, then rolls back, so the
        probe changes no table and needs no schema of its own.
        """
        if self._sqlite is not None:
            found = await asyncio.to_thread(
                file_problem, self._sqlite, self._opened, min_free=self.min_free
            )
            if found is not None:
                return found
        async with self.storage.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                await conn.execute(text("SELECT 1"))
                return None
            async with conn.begin() as transaction:
                row = (
                    await conn.execute(
                        text(
                            "SELECT current_setting('transaction_read_only'), pg_current_xact_id()"
                        )
                    )
                ).one()
                await transaction.rollback()
            if row[0] == "on":
                return "the database is read-only (a standby, or default_transaction_read_only)"
        return None

    async def database(self) -> bool:
        """The database takes writes (:meth:`_probe`), answered within :data:`CHECK_TIMEOUT`;
        what is wrong goes to :attr:`problems` and ``/readyz``'s body."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                problem = await self._probe()
        except TimeoutError:
            problem = f"the database did not answer within {CHECK_TIMEOUT:g} s"
        except Exception as exc:
            problem = f"the database is unreachable ({type(exc).__name__})"
        if problem is None:
            self.problems.pop("database", None)
            return True
        if self.problems.get("database") != problem:  # once per new problem, not every probe
            log.warning("readiness: %s", problem)
        self.problems["database"] = problem
        return False

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
            "problems": dict(self.problems),
        }
        return not down, body
