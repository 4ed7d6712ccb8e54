"""The delivery ledger: each part of a digest (or any keyed delivery) is posted at most once.

A sender *claims* a (subscription, session, part) row, posts that one message, then marks it
*sent*. Rows are keyed by :class:`DeliveryKey`; a digest split into N messages has N rows, so a
retry sends only the parts still missing.

- ``claim`` is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING``: any number
  of concurrent claimers (tasks or processes, SQLite or PostgreSQL) have exactly one winner.
- Claims carry the holder's process *instance id* (random per process start) and a lease,
  ``claimed_until``, which the holder renews (:meth:`LedgerMixin.renew_claims`) for the claims
  it is still working on. A claim whose lease ended is taken over by *any* instance, its own
  holder included: a claim left behind by a database error (the post went out, marking it
  failed) is retried by the running process, not only after a restart. A ``failed`` row is
  retried.
- Leases are judged by the database's clock (``now()`` on PostgreSQL; on SQLite, which one
  process uses, the process's clock is the database's): claimed_at, claimed_until, the takeover
  check and the heartbeat never read the caller's clock, so a process whose clock is minutes
  off cannot take over a live claim nor shorten its own lease.
- A ``sent`` row is never claimed again.
- Every claim counts an attempt; the returned :class:`Claim` says whether an earlier attempt
  existed (``retry``) and since when (``since``, the first claim): an earlier holder may have
  posted and died before marking, so the caller asks the platform before posting again.

Regime alerts keep their own rows (``alert_deliveries``, keyed by alert and session; see
``bot.storage.alert_ledger``) under these same rules, through the same statements (:class:`Book`),
and one heartbeat renews a process's claims in both.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Row, Table, and_, delete, or_, select, update

from bot.storage._base import StorageBase
from bot.storage.models import alert_deliveries, deliveries
from bot.storage.records import Delivery, DeliveryState
from bot.storage.records import summary as summary  # where callers import it from

log = logging.getLogger(__name__)

#: How long a claim lives without its holder's heartbeat (renewed every third of it).
LEASE = timedelta(seconds=20)
#: Claims (first try included) after which a delivery is left alone.
MAX_ATTEMPTS = 3
_MAX_ERROR = 2000
#: Claims written at once per storage. A mark ends the window in which a crash leaves a
#: possible duplicate; on PostgreSQL each commit waits for the WAL flush, so with 16 deliveries
#: claiming at once a mark queued behind ~15 claims (190-290 ms median, benchmarks
#: ``bench_telegram_window``). Marks are never held back.
CLAIMS_AT_ONCE = 2


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


K = TypeVar("K")


@dataclass(frozen=True)
class Claim(Generic[K]):
    """A won claim: ``attempts`` so far (this one included) and the first claim's time."""

    key: K
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


@dataclass(frozen=True)
class Book:
    """A ledger table and the columns that name one of its rows (one delivery).

    The digest's ``deliveries`` (subscription, session, part) and the alerts'
    ``alert_deliveries`` (alert, session) follow the same rules through the same code.
    """

    table: Table
    keys: tuple[str, ...]

    def where(self, values: Mapping[str, Any]) -> Any:
        """The row named by ``values`` (one value per key column)."""
        return and_(*(self.table.c[k] == values[k] for k in self.keys))


DIGESTS = Book(deliveries, ("subscription_id", "session", "part"))
#: The alerts' book (used by ``bot.storage.alert_ledger``): the heartbeat renews both.
ALERTS = Book(alert_deliveries, ("alert_id", "session"))


def _names(key: Any) -> tuple[str, ...]:
    """The field names of a key dataclass instance (which book's row it names); () otherwise."""
    if not is_dataclass(key) or isinstance(key, type):
        return ()
    return tuple(f.name for f in fields(key))


def _row(key: Any) -> dict[str, Any]:
    """A key dataclass's fields by name (the values of the row it names)."""
    return {name: getattr(key, name) for name in _names(key)}


def _values(key: DeliveryKey) -> dict[str, Any]:
    return {"subscription_id": key.subscription_id, "session": key.session, "part": key.part}


def _key(key: DeliveryKey) -> Any:
    return DIGESTS.where(_values(key))


class LedgerMixin(StorageBase):
    """Claim, renew, mark and list deliveries (see the module docstring for the rules)."""

    claims_at_once = CLAIMS_AT_ONCE
    marks_autocommit = True  # PostgreSQL: a mark is one statement, no BEGIN / COMMIT trips
    _claim_gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def _claims(self) -> asyncio.Semaphore:
        """The gate of :data:`CLAIMS_AT_ONCE` (one per event loop the storage is used in)."""
        loop = asyncio.get_running_loop()
        if self._claim_gate is None or self._claim_gate[0] is not loop:
            self._claim_gate = (loop, asyncio.Semaphore(self.claims_at_once))
        return self._claim_gate[1]

    async def _claim_row(
        self,
        book: Book,
        values: Mapping[str, Any],
        instance: str,
        *,
        lease: timedelta,
        max_attempts: int,
        extra: Mapping[str, Any] | None = None,
    ) -> Row[Any] | None:
        """The one atomic claim of a ``book`` row: ``(attempts, claimed_at)`` for the winner."""
        c, now = book.table.c, self.db_clock()
        insert = self.insert(book.table).values(
            **values,
            **(extra or {}),
            state="claimed",
            attempts=1,
            claimed_by=instance,
            claimed_at=now,
            claimed_until=self.db_clock(lease),
        )
        takeover = or_(
            c.state == "failed",
            # anyone's claim, its holder's too (a claim it lost track of on a database error)
            and_(c.state == "claimed", or_(c.claimed_until.is_(None), c.claimed_until < now)),
        )
        stmt = insert.on_conflict_do_update(
            index_elements=list(book.keys),
            set_={
                "state": "claimed",
                "attempts": c.attempts + 1,
                "claimed_by": insert.excluded.claimed_by,
                "claimed_until": insert.excluded.claimed_until,
                **{k: insert.excluded[k] for k in extra or {}},
            },
            where=and_(c.attempts < max_attempts, takeover),
        ).returning(c.attempts, c.claimed_at)
        async with self._claims(), self.engine.begin() as conn:
            return (await conn.execute(stmt)).one_or_none()

    async def _mark_row_sent(
        self, book: Book, values: Mapping[str, Any], message_ids: Sequence[str]
    ) -> bool:
        return await self._mark_rows_sent(book, [values], message_ids) > 0

    async def _mark_rows_sent(
        self, book: Book, rows: Sequence[Mapping[str, Any]], message_ids: Sequence[str]
    ) -> int:
        """Mark ``rows`` sent in one statement (all or none); how many were not sent before."""
        c = book.table.c
        stmt = (
            update(book.table)
            .where(or_(*(book.where(values) for values in rows)), c.state != "sent")
            .values(
                state="sent",
                sent_at=self.db_clock(),
                claimed_until=None,
                message_ids=json.dumps(list(message_ids)),
            )
        )
        if self.dialect == "postgresql" and self.marks_autocommit:
            # one UPDATE is atomic by itself: committed (WAL flushed) when it returns, in one
            # round trip instead of three (BEGIN, UPDATE, COMMIT)
            async with self.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                return int((await conn.execute(stmt)).rowcount)
        async with self.engine.begin() as conn:
            return int((await conn.execute(stmt)).rowcount)

    async def _mark_row_failed(
        self, book: Book, values: Mapping[str, Any], instance: str, error: str
    ) -> bool:
        c = book.table.c
        stmt = (
            update(book.table)
            .where(book.where(values), c.state == "claimed", c.claimed_by == instance)
            .values(state="failed", claimed_until=self.db_clock(), error=error[:_MAX_ERROR])
        )
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def _release_row(self, book: Book, values: Mapping[str, Any], instance: str) -> bool:
        c = book.table.c
        held = and_(book.where(values), c.state == "claimed", c.claimed_by == instance)
        async with self.engine.begin() as conn:
            gone = await conn.execute(delete(book.table).where(held, c.attempts == 1))
            if gone.rowcount > 0:
                return True
            stmt = (
                update(book.table)
                .where(held)
                .values(state="failed", claimed_until=None, error="released before posting")
            )
            return (await conn.execute(stmt)).rowcount > 0

    async def claim(
        self,
        key: DeliveryKey,
        instance: str,
        *,
        parts: int | None = None,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> Claim[DeliveryKey] | None:
        """Claim ``key`` for ``instance`` under ``lease``; the :class:`Claim` for the one winner."""
        row = await self._claim_row(
            DIGESTS,
            _values(key),
            instance,
            lease=lease,
            max_attempts=max_attempts,
            extra={"parts": parts},
        )
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

    async def renew_claims(
        self,
        instance: str,
        lease: timedelta = LEASE,
        *,
        only: Collection[Hashable] | None = None,
    ) -> int:
        """The holder's heartbeat: extend the lease of the claims ``instance`` holds (digest
        parts and alerts alike) by ``lease`` from the database's now.

        ``only``: just these keys (:class:`DeliveryKey` and ``AlertKey`` values, whose fields
        name the row), the claims the process is still working on; a claim it lost track of
        (a database error between post and mark) is not renewed, so its lease ends and it is
        retried. None renews every claim of ``instance``.
        """
        renewed = 0
        async with self.engine.begin() as conn:
            for book in (DIGESTS, ALERTS):
                held = and_(book.table.c.state == "claimed", book.table.c.claimed_by == instance)
                if only is not None:
                    rows = [_row(k) for k in only if _names(k) == book.keys]
                    if not rows:
                        continue
                    held = and_(held, or_(*(book.where(r) for r in rows)))
                stmt = update(book.table).where(held).values(claimed_until=self.db_clock(lease))
                renewed += (await conn.execute(stmt)).rowcount
        return renewed

    async def mark_sent(
        self, subscription_id: int, session: date, message_ids: Sequence[str], *, part: int = 1
    ) -> bool:
        """Record the posted message ids; False if the row is missing or already sent."""
        key = DeliveryKey(subscription_id, session, part)
        done = await self._mark_row_sent(DIGESTS, _values(key), message_ids)
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
        return await self._mark_row_failed(DIGESTS, _values(key), claimed_by, error)

    async def release(self, key: DeliveryKey, instance: str) -> bool:
        """Give back a claim that was never posted (a graceful stop): free for anyone at once.

        A first attempt's row is deleted; a retry's becomes ``failed`` with no backoff.
        """
        return await self._release_row(DIGESTS, _values(key), instance)

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
