"""The alerts' delivery ledger: the digest ledger's rules (``bot.storage.ledger``) per alert.

A thin layer kept in one module so it can follow the digest ledger when that one changes: a
claim is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING`` with a single
winner; a ``sent`` row is never claimed again; a ``failed`` one, or a ``claimed`` one older than
``stale_after`` held by another claimer, may be; after ``max_attempts`` the row is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from bot.storage._base import StorageBase
from bot.storage.ledger import MAX_ATTEMPTS
from bot.storage.models import alert_deliveries

_T = alert_deliveries.c
#: An alert claim held this long by another process is taken over: its holder died mid-post
#: (one post is bounded well below it). Digests use leases; an alert is a single short post.
ALERT_CLAIM_STALE = timedelta(minutes=2)


def _key(alert_id: int, session: date) -> Any:
    return and_(_T.alert_id == alert_id, _T.session == session)


class AlertLedgerMixin(StorageBase):
    """Claim, mark and read alert deliveries."""

    async def claim_alert(
        self,
        alert_id: int,
        session: date,
        claimed_by: str,
        *,
        stale_after: timedelta = ALERT_CLAIM_STALE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> bool:
        """Claim the alert of ``session``; True only for the one winner."""
        now = self.now()
        insert = self.insert(alert_deliveries).values(
            alert_id=alert_id,
            session=session,
            state="claimed",
            attempts=1,
            claimed_by=claimed_by,
            claimed_at=now,
        )
        takeover = or_(
            _T.state == "failed",
            and_(
                _T.state == "claimed",
                _T.claimed_by != claimed_by,
                _T.claimed_at < now - stale_after,
            ),
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["alert_id", "session"],
            set_={
                "state": "claimed",
                "attempts": _T.attempts + 1,
                "claimed_by": insert.excluded.claimed_by,
                "claimed_at": insert.excluded.claimed_at,
            },
            where=and_(_T.attempts < max_attempts, takeover),
        ).returning(_T.attempts)
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).scalar_one_or_none() is not None

    async def mark_alert_sent(
        self, alert_id: int, session: date, message_ids: Sequence[str]
    ) -> bool:
        """Record the posted message ids; False if the row is missing or already sent."""
        stmt = (
            update(alert_deliveries)
            .where(_key(alert_id, session), _T.state != "sent")
            .values(state="sent", sent_at=self.now(), message_ids=json.dumps(list(message_ids)))
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def mark_alert_failed(
        self, alert_id: int, session: date, claimed_by: str, error: str
    ) -> bool:
        """Release ``claimed_by``'s claim as failed (retryable)."""
        stmt = (
            update(alert_deliveries)
            .where(_key(alert_id, session), _T.state == "claimed", _T.claimed_by == claimed_by)
            .values(state="failed", error=error[:2000])
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def alert_states(self, session: date) -> dict[int, tuple[str, str]]:
        """Alert id -> (ledger state, claimer) for ``session``."""
        query = select(_T.alert_id, _T.state, _T.claimed_by).where(_T.session == session)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.alert_id: (row.state, row.claimed_by) for row in rows}
