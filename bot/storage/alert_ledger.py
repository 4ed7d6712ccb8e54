"""The alerts' delivery ledger: the digest ledger's rules and statements, keyed by alert.

An alert of a session is claimed, posted, then marked sent, through the same code as a digest
part (:class:`bot.storage.ledger.Book`): one atomic claim with a single winner; the holder's
process instance id and a lease (``claimed_until``, judged by the database's clock) renewed by
the same heartbeat; a claim whose lease ended is taken over by any instance (its holder's too),
a ``failed`` one retried, a ``sent`` one never claimed again; a
:class:`~bot.storage.ledger.Claim` that is a retry tells the caller to ask the platform first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.storage.ledger import ALERTS, LEASE, MAX_ATTEMPTS, Claim, LedgerMixin
from bot.storage.models import alert_deliveries


@dataclass(frozen=True, order=True)
class AlertKey:
    """What is delivered once: the alert ``alert_id`` of ``session``."""

    alert_id: int
    session: date


def _values(key: AlertKey) -> dict[str, Any]:
    return {"alert_id": key.alert_id, "session": key.session}


class AlertLedgerMixin(LedgerMixin):
    """Claim, mark, release and read alert deliveries."""

    async def claim_alert(
        self,
        key: AlertKey,
        instance: str,
        *,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Claim[AlertKey] | None:
        """Claim ``key`` for ``instance`` under ``lease``; the :class:`Claim` for the winner."""
        row = await self._claim_row(
            ALERTS, _values(key), instance, lease=lease, max_attempts=max_attempts
        )
        return None if row is None else Claim(key, row.attempts, row.claimed_at)

    async def mark_alert_sent(self, key: AlertKey, message_ids: Sequence[str]) -> bool:
        """Record the posted message ids; False if the row is missing or already sent."""
        return await self._mark_row_sent(ALERTS, _values(key), message_ids)

    async def mark_alerts_sent(self, keys: Sequence[AlertKey], message_ids: Sequence[str]) -> int:
        """Mark the alerts of one grouped message sent in one statement: a crash cannot leave
        some marked and the rest to be posted again on their own; how many were marked."""
        if not keys:
            return 0
        return await self._mark_rows_sent(ALERTS, [_values(k) for k in keys], message_ids)

    async def mark_alert_failed(self, key: AlertKey, instance: str, error: str) -> bool:
        """Release ``instance``'s claim as failed (retryable)."""
        return await self._mark_row_failed(ALERTS, _values(key), instance, error)

    async def release_alert(self, key: AlertKey, instance: str) -> bool:
        """Give back a claim that was never posted (a graceful stop)."""
        return await self._release_row(ALERTS, _values(key), instance)

    async def alert_states(self, session: date) -> dict[int, tuple[str, str]]:
        """Alert id -> (ledger state, claimer) for ``session``."""
        c = alert_deliveries.c
        query = select(c.alert_id, c.state, c.claimed_by).where(c.session == session)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.alert_id: (row.state, row.claimed_by) for row in rows}
