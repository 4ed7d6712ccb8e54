"""Leader election: a PostgreSQL session advisory lock held on a dedicated connection.

On SQLite there is one process by design, so the lock is always granted.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: Seconds of silence after which PostgreSQL drops the lock holder's session (see try_lock).
IDLE_TIMEOUT_S = 45

_BIGINT = 2**63


class LeaderLock:
    """At most one advisory lock per instance; the connection holding it stays checked out."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._key: int | None = None
        self._mutex = asyncio.Lock()

    @property
    def held_key(self) -> int | None:
        """The key this instance holds, if any."""
        return self._key

    async def try_advisory_lock(self, key: int) -> bool:
        """Take the lock ``key`` without waiting; True if this instance now holds it."""
        if not -_BIGINT <= key < _BIGINT:
            raise ValueError("advisory lock keys are 64-bit signed integers")
        async with self._mutex:
            if self._engine.dialect.name != "postgresql":
                self._key = key
                return True
            if self._key is not None:
                if self._key != key:
                    raise RuntimeError(f"already holding advisory lock {self._key}")
                return True
            conn = await self._engine.connect()
            got = False
            try:
                # If this process hangs or its host drops off the network, the server ends the
                # idle session (and the lock) after IDLE_TIMEOUT instead of TCP's ~2 hours; a
                # healthy leader pings every 15 s. PostgreSQL 14+; older servers keep the default.
                try:
                    await conn.execute(text(f"SET idle_session_timeout = '{IDLE_TIMEOUT_S}s'"))
                    await conn.commit()
                except SQLAlchemyError:
                    await conn.rollback()
                query = text("SELECT pg_try_advisory_lock(:key)")
                taken = bool((await conn.execute(query, {"key": key})).scalar_one())
                await conn.commit()  # end the transaction; the session lock stays
                got = taken
            finally:
                if not got:
                    await conn.close()
            if not got:
                return False
            self._conn, self._key = conn, key
            log.info("advisory lock %d taken", key)
            return True

    async def still_held(self) -> bool:
        """Whether the lock's connection is alive (a dropped connection loses the lock)."""
        async with self._mutex:
            if self._conn is None:
                return self._key is not None  # SQLite: held once taken
            try:
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
                return True
            except SQLAlchemyError:
                log.warning("advisory lock %s lost with its connection", self._key)
                await self._drop(invalidate=True)
                return False

    async def release_advisory_lock(self) -> None:
        """Release the lock if held (idempotent)."""
        async with self._mutex:
            if self._conn is None:
                self._key = None
                return
            try:
                query = text("SELECT pg_advisory_unlock(:key)")
                await self._conn.execute(query, {"key": self._key})
                await self._conn.commit()
                log.info("advisory lock %d released", self._key)
                await self._drop(invalidate=False)
            except SQLAlchemyError:
                log.warning("could not unlock advisory lock %s; dropping its connection", self._key)
                await self._drop(invalidate=True)

    async def _drop(self, *, invalidate: bool) -> None:
        conn, self._conn, self._key = self._conn, None, None
        if conn is None:
            return
        if invalidate:  # never return a connection that may still hold the lock to the pool
            await conn.invalidate()
        await conn.close()
