"""Time passing for the ledger's leases, on every backend.

Leases are judged by the database's clock (``now()`` on PostgreSQL), which a test cannot move;
moving every stored lease end ``delta`` earlier is the same to the ledger as ``delta`` passing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.storage import Storage
from bot.storage.models import alert_deliveries, deliveries


async def pass_time(storage: Storage, delta: timedelta) -> None:
    """Every running lease (digest parts and alerts) ends ``delta`` sooner."""
    async with storage.engine.begin() as conn:
        for table in (deliveries, alert_deliveries):
            keys = [c for c in table.primary_key.columns]
            rows = (
                await conn.execute(
                    select(*keys, table.c.claimed_until).where(table.c.claimed_until.is_not(None))
                )
            ).all()
            for row in rows:
                where = [c == getattr(row, c.name) for c in keys]
                stmt = update(table).where(*where).values(claimed_until=row.claimed_until - delta)
                await conn.execute(stmt)
