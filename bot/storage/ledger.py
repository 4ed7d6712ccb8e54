"""The delivery ledger: each part of a digest (or any keyed delivery) is posted at most once.

A sender *claims* a (subscription, session, part) row, posts that one message, then marks it
*sent*. Rows are keyed by :class:`DeliveryKey`; a digest split into N messages has N rows, so a
retry sends only the parts still missing.

- ``claim`` is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING``: any number
  of concurrent claimers (tasks or processes, SQLite or PostgreSQL) have exactly one winner.
- Claims carry the holder's process *instance id* (random per process start, so a restarted
  process with the same pid and host never mistakes an old claim for its own) and a lease,
  ``claimed_until``, which the holder renews (:meth:`LedgerMixin.renew_claims`) while it runs.
  A claim whose lease ended is taken over by another instance; a ``failed`` row is retried.
- A ``sent`` row is never claimed again.
- Every claim counts an attempt; the returned :class:`Claim` says whether an earlier attempt
  existed (``retry``) and since when (``since``, the first claim): an earlier holder may have
  posted and died before marking, so the caller asks the platform before posting again.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, and_, delete, or_, select, update

from bot.storage._base import StorageBase
from bot.storage.models import deliveries
from bot.storage.records import Delivery, DeliveryState

log = logging.getLogger(__name__)

#: How long a claim lives without its holder's heartbeat (renewed every third of it).
LEASE = timedelta(seconds=20)
#: Claims (first try included) after which a delivery is left alone.
MAX_ATTEMPTS = 3
_MAX_ERROR = 2000


def new_instance_id() -> str:
    """A random id for this process run (claims carry it; a restart gets a new one)."""
    return f"i-{secrets.token_hex(8)}"


#: Older name of :func:`new_instance_id`.
new_claimer_id = new_instance_id


@dataclass(frozen=True, order=True)
class DeliveryKey:
    """What is delivered once: a subscription's message ``part`` (1-based) of ``session``."""

    subscription_id: int
    session: date
    part: int = 1


@dataclass(frozen=True)
class Claim:
    """A won claim: ``attempts`` so far (this one included) and the first claim's time."""

    key: DeliveryKey
    attempts: int
    since: datetime

    @property
    def retry(self) -> bool:
        """An earlier attempt existed: it may have posted before its holder died."""
        return self.attempts > 1


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        subscription_id=row.subscription_id,
        session=row.session,
        part=row.part,
        parts=row.parts,
        state=cast(DeliveryState, row.state),
        attempts=row.attempts,
        message_ids=tuple(json.loads(row.message_ids)) if row.message_ids else (),
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        claimed_until=row.claimed_until,
        sent_at=row.sent_at,
        error=row.error,
    )


def summary(rows: Sequence[Delivery]) -> Delivery:
    """One subscription's digest of one session from its part rows (at least one).

    ``sent`` only when every part of the digest is sent; else ``claimed`` while a part is held,
    else ``failed``. Message ids in part order; errors of the failed parts.
    """
    ordered = sorted(rows, key=lambda r: r.part)
    first = ordered[0]
    parts = max((r.parts or 0 for r in ordered), default=0) or len(ordered)
    states = {r.state for r in ordered}
    state: DeliveryState = "failed"
    if states == {"sent"} and len(ordered) >= parts:
        state = "sent"
    elif "claimed" in states or states == {"sent"}:
        state = "claimed"
    errors = [r.error for r in ordered if r.state == "failed" and r.error]
    return Delivery(
        subscription_id=first.subscription_id,
        session=first.session,
        part=0,
        parts=parts,
        state=state,
        attempts=max(r.attempts for r in ordered),
        message_ids=tuple(m for r in ordered for m in r.message_ids),
        claimed_by=first.claimed_by,
        claimed_at=min(r.claimed_at for r in ordered),
        claimed_until=max((r.claimed_until for r in ordered if r.claimed_until), default=None),
        sent_at=max((r.sent_at for r in ordered if r.sent_at), default=None),
        error="; ".join(errors) or None,
    )


def _key(key: DeliveryKey) -> Any:
    return and_(
        deliveries.c.subscription_id == key.subscription_id,
        deliveries.c.session == key.session,
        deliveries.c.part == key.part,
    )


class LedgerMixin(StorageBase):
    """Claim, renew, mark and list deliveries (see the module docstring for the rules)."""

    async def claim(
        self,
        key: DeliveryKey,
        instance: str,
        *,
        parts: int | None = None,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Claim | None:
        """Claim ``key`` for ``instance`` under ``lease``; the :class:`Claim` for the one winner."""
        now = self.now()
        insert = self.insert(deliveries).values(
            subscription_id=key.subscription_id,
            session=key.session,
            part=key.part,
            parts=parts,
            state="claimed",
            attempts=1,
            claimed_by=instance,
            claimed_at=now,
            claimed_until=now + lease,
        )
        takeover = or_(
            deliveries.c.state == "failed",
            and_(
                deliveries.c.state == "claimed",
                deliveries.c.claimed_by != instance,
                or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
            ),
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["subscription_id", "session", "part"],
            set_={
                "state": "claimed",
                "attempts": deliveries.c.attempts + 1,
                "claimed_by": insert.excluded.claimed_by,
                "claimed_until": insert.excluded.claimed_until,
                "parts": insert.excluded.parts,
            },
            where=and_(deliveries.c.attempts < max_attempts, takeover),
        ).returning(deliveries.c.attempts, deliveries.c.claimed_at)
        async with self.engine.begin() as conn:
            row = (await conn.execute(stmt)).one_or_none()
        if row is None:
            return None
        claim = Claim(key, row.attempts, row.claimed_at)
        if claim.retry:
            log.info(
                "delivery retried subscription=%d session=%s part=%d attempt=%d by=%s",
                key.subscription_id,
                key.session,
                key.part,
                claim.attempts,
                instance,
            )
        return claim

    async def claim_delivery(
        self,
        subscription_id: int,
        session: date,
        claimed_by: str,
        *,
        part: int = 1,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> bool:
        """:meth:`claim` by subscription and session; True only for the one winner."""
        key = DeliveryKey(subscription_id, session, part)
        return await self.claim(key, claimed_by, lease=lease, max_attempts=max_attempts) is not None

    async def renew_claims(self, instance: str, lease: timedelta = LEASE) -> int:
        """The holder's heartbeat: extend the lease of every claim ``instance`` holds."""
        stmt = (
            update(deliveries)
            .where(deliveries.c.state == "claimed", deliveries.c.claimed_by == instance)
            .values(claimed_until=self.now() + lease)
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def mark_sent(
        self, subscription_id: int, session: date, message_ids: Sequence[str], *, part: int = 1
    ) -> bool:
        """Record the posted message ids; False if the row is missing or already sent."""
        key = DeliveryKey(subscription_id, session, part)
        stmt = (
            update(deliveries)
            .where(_key(key), deliveries.c.state != "sent")
            .values(
                state="sent",
                sent_at=self.now(),
                claimed_until=None,
                message_ids=json.dumps(list(message_ids)),
            )
        )
        async with self.engine.begin() as conn:
            done = (await conn.execute(stmt)).rowcount > 0
        if not done:
            log.warning(
                "mark_sent found no unsent delivery subscription=%d session=%s part=%d",
                subscription_id,
                session,
                part,
            )
        return done

    async def mark_failed(
        self, subscription_id: int, session: date, claimed_by: str, error: str, *, part: int = 1
    ) -> bool:
        """Release ``claimed_by``'s claim as failed (retryable); False if it no longer holds it."""
        key = DeliveryKey(subscription_id, session, part)
        stmt = (
            update(deliveries)
            .where(
                _key(key), deliveries.c.state == "claimed", deliveries.c.claimed_by == claimed_by
            )
            .values(state="failed", claimed_until=self.now(), error=error[:_MAX_ERROR])
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def release(self, key: DeliveryKey, instance: str) -> bool:
        """Give back a claim that was never posted (a graceful stop): free for anyone at once.

        A first attempt's row is deleted; a retry's becomes ``failed`` with no backoff.
        """
        held = and_(_key(key), deliveries.c.state == "claimed", deliveries.c.claimed_by == instance)
        async with self.engine.begin() as conn:
            gone = await conn.execute(delete(deliveries).where(held, deliveries.c.attempts == 1))
            if gone.rowcount > 0:
                return True
            stmt = (
                update(deliveries)
                .where(held)
                .values(state="failed", claimed_until=None, error="released before posting")
            )
            return (await conn.execute(stmt)).rowcount > 0

    async def get_delivery(self, subscription_id: int, session: date) -> Delivery | None:
        """The digest of one subscription and session, its parts summed up (:func:`summary`)."""
        query = select(deliveries).where(
            deliveries.c.subscription_id == subscription_id, deliveries.c.session == session
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return summary([_delivery(r) for r in rows]) if rows else None

    async def deliveries_for(self, session: date) -> list[Delivery]:
        """Every ledger row (every part) of ``session``, by subscription id and part."""
        query = (
            select(deliveries)
            .where(deliveries.c.session == session)
            .order_by(deliveries.c.subscription_id, deliveries.c.part)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_delivery(row) for row in rows]
