"""The delivery ledger and leader lock on every backend: one winner per claim, no resends."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.storage import DeliveryKey, Storage, create_engine
from tests.bot.lease_time import pass_time

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
    finally:
        await later.close()
    assert not await storage.mark_sent(sub.id, SESSION, ["m3"])
    assert not await storage.mark_failed(sub.id, SESSION, "a", "late error")
    row = await storage.get_delivery(sub.id, SESSION)
    assert row is not None
    assert (row.state, row.message_ids, row.claimed_until) == ("sent", ("m1", "m2"), None)


async def test_a_claim_is_taken_over_only_when_its_lease_ended(
    db_url: str, storage: Storage
) -> None:
    """A live lease excludes everyone (a restarted holder too: new instance id); an ended one
    is taken over by another instance, and the claim says it is a retry since the first claim."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    key = DeliveryKey(sub.id, SESSION, 1)
    first = await storage.claim(key, "i-dead", lease=timedelta(seconds=30))
    assert first is not None and not first.retry
    assert await storage.claim(key, "i-restarted") is None  # same pid/host would not matter
    await pass_time(storage, timedelta(seconds=20))
    assert await storage.claim(key, "i-other") is None
    await pass_time(storage, timedelta(seconds=11))
    taken = await storage.claim(key, "i-other")
    assert taken is not None and taken.retry and taken.since == first.since
    assert await storage.claim(key, "i-third") is None  # the new holder's lease runs
    assert not await storage.mark_failed(sub.id, SESSION, "i-dead", "lost its claim")
    [row] = await storage.deliveries_for(SESSION)
    assert (row.state, row.claimed_by, row.attempts) == ("claimed", "i-other", 2)


async def test_heartbeat_keeps_a_claim_alive(db_url: str, storage: Storage) -> None:
    """renew_claims pushes the lease end forward for the holder's claims only."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    key = DeliveryKey(sub.id, SESSION, 1)
    assert await storage.claim(key, "i-me", lease=timedelta(seconds=5))
    later = _later(db_url, timedelta(seconds=4))
    try:
        assert await later.renew_claims("i-me", timedelta(seconds=5)) == 1
        assert await later.renew_claims("i-someone", timedelta(seconds=5)) == 0
    finally:
        await later.close()
    check = _later(db_url, timedelta(seconds=7))
    try:
        assert await check.claim(key, "i-other") is None  # renewed at +4 s until +9 s
    finally:
        await check.close()


async def test_parts_are_claimed_on_their_own_and_summed_up(storage: Storage) -> None:
    """Part 2 failing leaves part 1 sent; a retry claims part 2 only; the summary is 'sent'
    only once every part is."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    one, two = DeliveryKey(sub.id, SESSION, 1), DeliveryKey(sub.id, SESSION, 2)
    assert await storage.claim(one, "i-a", parts=2)
    assert await storage.mark_sent(sub.id, SESSION, ["m1"], part=1)
    assert await storage.claim(two, "i-a", parts=2)
    assert await storage.mark_failed(sub.id, SESSION, "i-a", "HTTP 500", part=2)
    summary = await storage.get_delivery(sub.id, SESSION)
    assert summary is not None and (summary.state, summary.error) == ("failed", "HTTP 500")
    assert await storage.claim(one, "i-b") is None
    retry = await storage.claim(two, "i-b", parts=2)
    assert retry is not None and retry.retry
    assert await storage.mark_sent(sub.id, SESSION, ["m2"], part=2)
    summary = await storage.get_delivery(sub.id, SESSION)
    assert summary is not None and (summary.state, summary.message_ids) == ("sent", ("m1", "m2"))


async def test_release_frees_an_unposted_claim_at_once(storage: Storage) -> None:
    """A released first attempt disappears; a released retry becomes failed without backoff."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    key = DeliveryKey(sub.id, SESSION, 1)
    assert await storage.claim(key, "i-a")
    assert await storage.release(key, "i-a")
    assert await storage.deliveries_for(SESSION) == []
    assert await storage.claim(key, "i-a")
    assert await storage.mark_failed(sub.id, SESSION, "i-a", "HTTP 500")
    assert await storage.claim(key, "i-b")
    assert not await storage.release(key, "i-a")  # not the holder
    assert await storage.release(key, "i-b")
    [row] = await storage.deliveries_for(SESSION)
    assert (row.state, row.claimed_until, row.attempts) == ("failed", None, 2)


async def test_retry_limit(storage: Storage) -> None:
    """After max attempts nobody wins."""
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    assert await storage.claim_delivery(sub.id, SESSION, "a")
    assert await storage.mark_failed(sub.id, SESSION, "a", "HTTP 500")
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
