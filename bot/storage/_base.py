"""What every storage mixin shares: the engine, the clocks (the storage's, the database's) and
the dialect's upsert."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import utc_now
from bot.storage.models import UTCDateTime

Insert = postgresql.Insert | sqlite.Insert


class StorageBase:
    """Holds the engine; every public method runs (and commits) its own short transaction."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self._clock = clock

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def now(self) -> datetime:
        """The storage clock (injectable for tests)."""
        return self._clock()

    def db_clock(self, plus: timedelta = timedelta(0)) -> ColumnElement[datetime]:
        """The database's current time (``+ plus``) as SQL: ``now()`` on PostgreSQL, one clock
        for every process; on SQLite the storage clock, bound (one process: its clock is the
        database's; SQLite stores text, so the sum is made here)."""
        if self.dialect == "postgresql":
            return func.now() + plus if plus else func.now()
        return literal(self.now() + plus, UTCDateTime())

    async def db_now(self) -> datetime:
        """The database's current time (what leases are judged by), timezone-aware UTC."""
        if self.dialect != "postgresql":
            return self.now()
        async with self.engine.connect() as conn:
            value = (await conn.execute(select(func.now()))).scalar_one()
        assert isinstance(value, datetime)
        return value.astimezone(UTC)

    def insert(self, table: Table) -> Insert:
        """The dialect's INSERT, which has ``on_conflict_do_*``."""
        return postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)

    def upsert(
        self,
        table: Table,
        rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        keys: Sequence[str],
        update: Sequence[str],
    ) -> Insert:
        """INSERT ``rows``; on a ``keys`` conflict overwrite the ``update`` columns."""
        stmt = self.insert(table).values(rows) if isinstance(rows, Mapping) else self.insert(table)
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
        )
