"""The delivery ledger: each subscription gets a session's digest at most once.

A sender first *claims* the (subscription, session) row, posts, then marks it *sent*:

- ``claim_delivery`` is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING``.
  It returns True only to the caller that inserted the row or took it over, so any number of
  concurrent claimers (tasks or processes, SQLite or PostgreSQL) have exactly one winner.
- A ``sent`` row is never claimed again (the WHERE clause never matches it).
- A ``failed`` row (the sender called ``mark_failed``) may be claimed again: a retry.
- A ``claimed`` row whose claimer died mid-send can be taken over by a *different* claimer once
  ``claimed_at`` is older than ``stale_after``, or turned into ``failed`` in bulk by
  ``reclaim_stale`` (e.g. by the leader at start-up). A claimer never takes over its own claim.
- Every claim counts an attempt; after ``max_attempts`` the row stays as it is, so a digest that
  crashes the sender is not retried forever.

The one window left is a sender that posted but died before ``mark_sent``: the takeover re-posts.
Keep ``stale_after`` well above the time a send takes so a slow sender is not taken over.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Row, and_, or_, select, update

from bot.storage._base import StorageBase
from bot.storage.models import deliveries
from bot.storage.records import Delivery, DeliveryState

log = logging.getLogger(__name__)

#: A claim older than this may be taken over by another claimer.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: Claims (first try included) after which a delivery is left alone.
MAX_ATTEMPTS = 3
_MAX_ERROR = 2000


def new_claimer_id() -> str:
    """A claimer id unique to this process run: host, pid and a random suffix."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        subscription_id=row.subscription_id,
        session=row.session,
        state=cast(DeliveryState, row.state),
        attempts=row.attempts,
        message_ids=tuple(json.loads(row.message_ids)) if row.message_ids else (),
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        error=row.error,
    )


def _key(subscription_id: int, session: date) -> Any:
    return and_(deliveries.c.subscription_id == subscription_id, deliveries.c.session == session)


class LedgerMixin(StorageBase):
    """Claim, mark and list deliveries (see the module docstring for the rules)."""

    async def claim_delivery(
        self,
        subscription_id: int,
        session: date,
        claimed_by: str,
        *,
        stale_after: timedelta = CLAIM_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> bool:
        """Claim the digest of ``session`` for a subscription; True only for the one winner."""
        now = self.now()
        insert = self.insert(deliveries).values(
            subscription_id=subscription_id,
            session=session,
            state="claimed",
            attempts=1,
            claimed_by=claimed_by,
            claimed_at=now,
        )
        takeover = or_(
            deliveries.c.state == "failed",
            and_(
                deliveries.c.state == "claimed",
                deliveries.c.claimed_by != claimed_by,
                deliveries.c.claimed_at < now - stale_after,
            ),
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["subscription_id", "session"],
            set_={
                "state": "claimed",
                "attempts": deliveries.c.attempts + 1,
                "claimed_by": insert.excluded.claimed_by,
                "claimed_at": insert.excluded.claimed_at,
            },
            where=and_(deliveries.c.attempts < max_attempts, takeover),
        ).returning(deliveries.c.attempts)
        async with self.engine.begin() as conn:
            attempts = (await conn.execute(stmt)).scalar_one_or_none()
        if attempts is not None and attempts > 1:
            log.info(
                "delivery retried subscription=%d session=%s attempt=%d by=%s",
                subscription_id,
                session,
                attempts,
                claimed_by,
            )
        return attempts is not None

    async def mark_sent(
        self, subscription_id: int, session: date, message_ids: Sequence[str]
    ) -> bool:
        """Record the posted message ids; False if the row is missing or already sent."""
        stmt = (
            update(deliveries)
            .where(_key(subscription_id, session), deliveries.c.state != "sent")
            .values(state="sent", sent_at=self.now(), message_ids=json.dumps(list(message_ids)))
        )
        async with self.engine.begin() as conn:
            done = (await conn.execute(stmt)).rowcount > 0
        if not done:
            log.warning(
                "mark_sent found no unsent delivery subscription=%d session=%s",
                subscription_id,
                session,
            )
        return done

    async def mark_failed(
        self, subscription_id: int, session: date, claimed_by: str, error: str
    ) -> bool:
        """Release ``claimed_by``'s claim as failed (retryable); False if it no longer holds it."""
        stmt = (
            update(deliveries)
            .where(
                _key(subscription_id, session),
                deliveries.c.state == "claimed",
                deliveries.c.claimed_by == claimed_by,
            )
            .values(state="failed", error=error[:_MAX_ERROR])
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def reclaim_stale(self, older_than: timedelta = CLAIM_TIMEOUT) -> int:
        """Turn claims older than ``older_than`` into retryable failures; how many there were."""
        stmt = (
            update(deliveries)
            .where(
                deliveries.c.state == "claimed",
                deliveries.c.claimed_at < self.now() - older_than,
            )
            .values(state="failed", error="claim expired: the claimer stopped before sending")
        )
        async with self.engine.begin() as conn:
            count = (await conn.execute(stmt)).rowcount
        if count:
            log.warning("reclaimed %d stale delivery claims", count)
        return count

    async def get_delivery(self, subscription_id: int, session: date) -> Delivery | None:
        """The ledger row of one subscription and session, if any."""
        query = select(deliveries).where(_key(subscription_id, session))
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return _delivery(row) if row is not None else None

    async def deliveries_for(self, session: date) -> list[Delivery]:
        """Every ledger row of ``session``, by subscription id."""
        query = (
            select(deliveries)
            .where(deliveries.c.session == session)
            .order_by(deliveries.c.subscription_id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_delivery(row) for row in rows]
