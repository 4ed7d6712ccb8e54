"""Issue 19: a process retries its own expired claims, and leases follow the database's clock.

A claim its holder lost track of (a database error between the post and the mark) is taken over
once its lease ends by anyone, its holder included, digest parts and alerts alike; the holder's
heartbeat renews only what it still works on. On PostgreSQL a process whose clock is off cannot
take a live claim over: ``now()`` judges leases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.alerts.runner import AlertRunner, alert_nonce
from bot.storage import AlertKey, DeliveryKey, Storage, create_engine
from tests.bot.lease_time import pass_time
from tests.bot.test_alert_delivery import RecoverablePoster
from tests.bot.test_alerts import add, prices  # noqa: F401  (the fixture)
from tests.fakes.market import WORKED_SESSION

SESSION = date(2026, 6, 8)


async def test_the_holder_takes_its_own_claim_over_once_its_lease_ended(storage: Storage) -> None:
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    key = DeliveryKey(sub.id, SESSION, 1)
    first = await storage.claim(key, "i-me", lease=timedelta(seconds=30))
    assert first is not None
    assert await storage.claim(key, "i-me") is None  # its lease runs: nobody, the holder neither
    await pass_time(storage, timedelta(seconds=31))
    again = await storage.claim(key, "i-me")
    assert again is not None and again.retry and again.since == first.since  # ask the platform


async def test_the_heartbeat_renews_only_the_claims_still_worked_on(storage: Storage) -> None:
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    one, two = DeliveryKey(sub.id, SESSION, 1), DeliveryKey(sub.id, SESSION, 2)
    assert await storage.claim(one, "i-me", lease=timedelta(seconds=5))
    assert await storage.claim(two, "i-me", lease=timedelta(seconds=5))
    assert await storage.renew_claims("i-me", timedelta(seconds=60), only={one}) == 1
    await pass_time(storage, timedelta(seconds=10))
    assert await storage.claim(one, "i-other") is None  # renewed
    assert await storage.claim(two, "i-other") is not None  # lost track of: taken over


async def test_a_clock_90_s_ahead_cannot_take_a_live_claim_over(db_url: str, storage: Storage):
    if storage.dialect != "postgresql":
        pytest.skip("SQLite runs one process by design: its clock is the database's")
    sub = await storage.upsert_subscription("discord", "g1", "c1", time=None, timezone="UTC")
    key = DeliveryKey(sub.id, SESSION, 1)
    assert await storage.claim(key, "i-leader", lease=timedelta(seconds=20))
    ahead = Storage(create_engine(db_url), clock=lambda: datetime.now(UTC) + timedelta(seconds=90))
    try:
        assert await ahead.claim(key, "i-ahead") is None
        now = await ahead.db_now()
        assert abs((now - datetime.now(UTC)).total_seconds()) < 30  # the server's, not its own
    finally:
        await ahead.close()
    [row] = await storage.deliveries_for(SESSION)
    assert row.claimed_by == "i-leader" and row.claimed_until is not None
    assert row.claimed_until - row.claimed_at == timedelta(seconds=20)


async def test_an_alert_runner_retries_its_own_claims_after_asking_the_platform(
    storage: Storage,
    prices,  # noqa: F811
) -> None:
    """The run that claimed the alerts lost the database before marking them (posted): the same
    runner's next run takes them over once the lease ended, finds the post and marks it."""
    await add(storage, "IWM")
    await add(storage, "SPY")
    alerts = await storage.list_alerts()
    for alert in alerts:
        assert await storage.claim_alert(AlertKey(alert.id, WORKED_SESSION), "i-me")
    poster = RecoverablePoster("discord", {alert_nonce(alerts, WORKED_SESSION): "m-earlier"})
    runner = AlertRunner(storage, prices, {"discord": poster}, claimer_id="i-me")
    report = await runner.run(WORKED_SESSION)
    assert (report.sent, report.skipped) == (0, 2)  # the lease runs: not yet
    await pass_time(storage, timedelta(minutes=1))
    report = await runner.run(WORKED_SESSION)
    assert (report.sent, report.recovered, report.messages) == (2, 2, 0) and poster.posts == []
    states = await storage.alert_states(WORKED_SESSION)
    assert {s for s, _ in states.values()} == {"sent"}
