"""Discord shard leases: one PostgreSQL session advisory lock per shard id, held by one process.

Several identical processes share one bot token; each connects exactly the shards it holds a
lock for, so every shard (and every guild's events, routed by Discord to shard
``(guild_id >> 22) % shard_count``) is served by one process. The locks live on one dedicated
connection: when a process dies its connection closes and PostgreSQL drops its locks at once,
so another process takes the shards over at its next :meth:`ShardLeases.tick` (every
``LEASE_INTERVAL`` seconds, well under a minute).

Explicit ids (``DISCORD_SHARD_IDS``): the process leases exactly those (waiting while another
holds one). Automatic: each process also holds a "member" lock in a range of slots, counts the
members and keeps its fair share ``ceil(shard_count / members)``: a newcomer gets shards as the
older processes release their surplus, a dead process's shards go to the survivors.

On SQLite there is one process by design: every shard is granted, no lock is taken.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.leader import IDLE_TIMEOUT_S

log = logging.getLogger(__name__)

#: Advisory lock key of shard 0 (shard n is this + n); "SGSH" in ASCII, far from other keys.
SHARD_KEY_BASE = 0x5347_5348_0000_0000
#: Advisory lock keys of process slots (automatic assignment counts them).
MEMBER_KEY_BASE = SHARD_KEY_BASE + 0x1_0000_0000
MAX_MEMBERS = 256
#: Seconds between two lease checks (a dead process's shards move within about this long).
LEASE_INTERVAL = 10.0

_COUNT_MEMBERS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND ((classid::bigint << 32) | objid::bigint) BETWEEN :low AND :high"
)


@dataclass(frozen=True)
class LeasePlan:
    """What the adapter must do after a tick.

    ``release``: shards held beyond this process's share: close their connection, then call
    :meth:`ShardLeases.release`. ``acquired``: newly locked shards to connect. ``lost``: the
    lock connection died, every lock with it: disconnect every shard now.
    """

    release: frozenset[int] = field(default_factory=frozenset)
    acquired: frozenset[int] = field(default_factory=frozenset)
    lost: bool = False


class ShardLeases:
    """The shard locks of one process (see the module docstring)."""

    def __init__(
        self, engine: AsyncEngine, shard_count: int, shard_ids: Sequence[int] | None = None
    ) -> None:
        if shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        bad = [i for i in shard_ids or () if not 0 <= i < shard_count]
        if bad:
            raise ValueError(f"shard ids {bad} are outside 0..{shard_count - 1}")
        self.shard_count = shard_count
        self.explicit = tuple(sorted(set(shard_ids))) if shard_ids else None
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._member: int | None = None
        self._held: set[int] = set()
        self._mutex = asyncio.Lock()

    @property
    def coordinated(self) -> bool:
        """Locks are taken (PostgreSQL); False on SQLite, where one process holds every shard."""
        return self._engine.dialect.name == "postgresql"

    @property
    def held(self) -> frozenset[int]:
        """The shard ids this process holds now."""
        return frozenset(self._held)

    def candidates(self) -> tuple[int, ...]:
        """The shard ids this process may hold."""
        return self.explicit if self.explicit is not None else tuple(range(self.shard_count))

    async def tick(self) -> LeasePlan:
        """Check the locks, give up the surplus, take free shards up to this process's share."""
        async with self._mutex:
            if not self.coordinated:
                new = frozenset(self.candidates()) - self._held
                self._held |= new
                return LeasePlan(acquired=new)
            try:
                conn = await self._connection()
                await conn.execute(text("SELECT 1"))
                await conn.commit()
                share = await self._share(conn)
                release = frozenset(
                    sorted(self._held, reverse=True)[: max(0, len(self._held) - share)]
                )
                acquired: set[int] = set()
                for shard in self.candidates():
                    if len(self._held) - len(release) + len(acquired) >= share:
                        break
                    if shard in self._held:
                        continue
                    if await self._try_lock(conn, SHARD_KEY_BASE + shard):
                        acquired.add(shard)
                self._held |= acquired
                return LeasePlan(release=release, acquired=frozenset(acquired))
            except (SQLAlchemyError, OSError) as exc:
                lost = bool(self._held)
                log.warning("shard leases lost with their connection: %s", type(exc).__name__)
                await self._drop()
                return LeasePlan(lost=lost)

    async def release(self, shards: Sequence[int] | frozenset[int]) -> None:
        """Unlock ``shards`` (their connection is closed already), so another process takes them."""
        async with self._mutex:
            mine = [s for s in shards if s in self._held]
            if not mine:
                return
            self._held -= set(mine)
            if self._conn is None:
                return
            try:
                for shard in mine:
                    query = text("SELECT pg_advisory_unlock(:key)")
                    await self._conn.execute(query, {"key": SHARD_KEY_BASE + shard})
                await self._conn.commit()
                log.info("shard leases released shards=%s", sorted(mine))
            except SQLAlchemyError:
                await self._drop()

    async def close(self) -> None:
        """Give up every lock (idempotent): close the lock connection."""
        async with self._mutex:
            await self._drop()

    async def _share(self, conn: AsyncConnection) -> int:
        if self.explicit is not None:
            return len(self.explicit)
        if self._member is None:
            for slot in range(MAX_MEMBERS):
                if await self._try_lock(conn, MEMBER_KEY_BASE + slot):
                    self._member = slot
                    break
        params = {"low": MEMBER_KEY_BASE, "high": MEMBER_KEY_BASE + MAX_MEMBERS - 1}
        members = int((await conn.execute(_COUNT_MEMBERS, params)).scalar_one())
        await conn.commit()
        return math.ceil(self.shard_count / max(1, members))

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:  # a hung process loses its shards after IDLE_TIMEOUT_S (PostgreSQL 14+)
                await conn.execute(text(f"SET idle_session_timeout = '{IDLE_TIMEOUT_S}s'"))
                await conn.commit()
            except SQLAlchemyError:
                await conn.rollback()
            self._conn = conn
        return self._conn

    @staticmethod
    async def _try_lock(conn: AsyncConnection, key: int) -> bool:
        query = text("SELECT pg_try_advisory_lock(:key)")
        taken = bool((await conn.execute(query, {"key": key})).scalar_one())
        await conn.commit()
        return taken

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self._held.clear()
        self._member = None
        if conn is None:
            return
        try:  # never return a connection that may still hold locks to the pool
            await conn.invalidate()
            await conn.close()
        except (SQLAlchemyError, OSError):
            log.debug("closing the shard lock connection failed", exc_info=True)
