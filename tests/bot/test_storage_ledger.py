"""The delivery ledger and leader lock on every backend: one winner per claim, no resends."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.storage import Storage, create_engine

SESSION = date(2026, 6, 8)


def _later(db_url: str, delta: timedelta) -> Storage:
    """A second storage on the same database whose clock runs ``delta`` ahead (another process)."""
    return Storage(create_engine(db_url), clock=lambda: datetime.now(UTC) + delta)


async def test_concurrent_claims_have_exactly_one_winner(db_url: str, storage: Storage) -> None:
    """Many concurrent claimers, on one engine and on a second one, get exactly one True."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    other = Storage(create_engine(db_url))
    try:
        claims = [s.claim_delivery(sub.id, SESSION, f"p{i}")
                  for i in range(20) for s in (storage, other)]  # fmt: skip
        results = await asyncio.gather(*claims)
    finally:
        await other.close()
    assert sum(results) == 1
    [row] = await storage.deliveries_for(SESSION)
    winner = f"p{results.index(True) // 2}"
    assert (row.state, row.attempts, row.claimed_by) == ("claimed", 1, winner)


async def test_sent_is_never_claimed_again(db_url: str, storage: Storage) -> None:
    """After mark_sent no claimer wins, however late, and the row keeps its message ids."""
    sub = await storage.upsert_subscription("slack", "T1", "C1", time=None, timezone="UTC")
    assert await storage.claim_delivery(sub.id, SESSION, "a")
    assert await storage.mark_sent(sub.id, SESSION, ["m1", "m2"])
    later = _later(db_url, timedelta(days=2))
    try:
        assert not await later.claim_delivery(sub.id, SESSION, "b")
        assert await later.reclaim_stale(timedelta(0)) == 0
    finally:
        await later.close()
    assert not await storage.mark_sent(sub.id, SESSION, ["m3"])
    assert not await storage.mark_failed(sub.id, SESSION, "a", "late error")
    row = await storage.get_delivery(sub.id, SESSION)
    assert row is not None
    assert (row.state, row.message_ids, row.attempts) == ("sent", ("m1", "m2"), 1)
    assert row.sent_at is not None


async def test_stale_claim_is_taken_over_by_another_claimer(db_url: str, storage: Storage) -> None:
    """A fresh claim holds; an expired one goes to a different claimer, never to its owner."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    assert await storage.claim_delivery(sub.id, SESSION, "dead")
    assert not await storage.claim_delivery(sub.id, SESSION, "b")
    later = _later(db_url, timedelta(minutes=11))
    try:
        assert not await later.claim_delivery(sub.id, SESSION, "dead")
        assert await later.claim_delivery(sub.id, SESSION, "b")
        assert not await later.claim_delivery(sub.id, SESSION, "c")
    finally:
        await later.close()
    assert not await storage.mark_failed(sub.id, SESSION, "dead", "lost its claim")
    row = await storage.get_delivery(sub.id, SESSION)
    assert row is not None
    assert (row.state, row.claimed_by, row.attempts) == ("claimed", "b", 2)


async def test_reclaim_stale_and_retry_limit(db_url: str, storage: Storage) -> None:
    """reclaim_stale frees old claims for a retry; after max attempts nobody wins."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    assert await storage.claim_delivery(sub.id, SESSION, "a")
    assert await storage.reclaim_stale(timedelta(minutes=10)) == 0
    later = _later(db_url, timedelta(hours=1))
    try:
        assert await later.reclaim_stale(timedelta(minutes=10)) == 1
    finally:
        await later.close()
    [row] = await storage.deliveries_for(SESSION)
    assert row.state == "failed"
    assert row.error is not None
    assert await storage.claim_delivery(sub.id, SESSION, "a")  # retry, attempt 2
    assert await storage.mark_failed(sub.id, SESSION, "a", "HTTP 500")
    assert await storage.claim_delivery(sub.id, SESSION, "c")  # attempt 3
    assert await storage.mark_failed(sub.id, SESSION, "c", "HTTP 500")
    assert not await storage.claim_delivery(sub.id, SESSION, "d")
    row2 = await storage.get_delivery(sub.id, SESSION)
    assert row2 is not None
    assert (row2.state, row2.attempts, row2.error) == ("failed", 3, "HTTP 500")


async def test_advisory_lock_excludes_a_second_holder(db_url: str, storage: Storage) -> None:
    """On PostgreSQL a second connection cannot lead until the first releases; SQLite always can."""
    other = Storage(create_engine(db_url))
    try:
        assert await storage.try_advisory_lock(4242)
        assert await storage.try_advisory_lock(4242)  # already ours
        expected = storage.dialect != "postgresql"
        assert await other.try_advisory_lock(4242) is expected
        assert await storage.leader.still_held()
        await storage.release_advisory_lock()
        await storage.release_advisory_lock()  # idempotent
        assert await other.try_advisory_lock(4242)
        assert not await storage.leader.still_held()
    finally:
        await other.close()


async def test_lost_lock_connection_is_noticed(db_url: str, storage: Storage) -> None:
    """If the holding connection dies, still_held says so and another process can lead."""
    assert await storage.try_advisory_lock(77)
    if storage.dialect == "postgresql":
        async with storage.engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = 77 AND pid <> pg_backend_pid()"
                )
            )
        assert not await storage.leader.still_held()
        assert storage.leader.held_key is None
    other = Storage(create_engine(db_url))
    try:
        assert await other.try_advisory_lock(77)
    finally:
        await other.close()
