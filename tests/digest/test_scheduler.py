"""The scheduler with an injected clock: ticks, restarts, catch-up, DST, jobs, leader election."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.base import Attachment
from bot.digest.fanout import DigestRunner
from bot.digest.schedule import DigestSchedule
from bot.digest.scheduler import LEADER_JOB_ID, TICK_JOB_ID, DigestScheduler
from bot.storage import Storage, open_storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources import CsvSource
from tests.digest.conftest import PREVIOUS, SESSION, RecordingPoster
from tests.fakes.market import write_price_dir

NY = "America/New_York"


class Clock:
    """A settable clock."""

    def __init__(self, now: str) -> None:
        self.now = utc(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, text: str) -> None:
        self.now = utc(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class TimedPoster(RecordingPoster):
    """Records (channel, session from the nonce, clock time) of every message."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.log: list[tuple[str, str, datetime]] = []

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        match = re.fullmatch(r"d\d+s(\d{6})p1", payload["nonce"])
        assert match is not None
        self.log.append((channel_id, match.group(1), self.clock()))
        return await super().send_message(channel_id, payload, files)


def scheduler(
    storage: Storage, prices: PriceService, poster: RecordingPoster, clock: Clock, **kw: Any
) -> DigestScheduler:
    runner = DigestRunner(storage, prices, {"discord": poster}, heatmaps=False, rates={})
    return DigestScheduler(runner, storage, DigestSchedule(prices.calendar), clock=clock, **kw)


async def test_fires_at_its_time_once_and_not_again_after_a_restart(
    storage: Storage, prices: PriceService
) -> None:
    """16:30 and 17:00 New York: each fires at its minute, once, and a restart sends nothing."""
    first = await storage.upsert_subscription("discord", "g", "1", time=None, timezone=NY)
    await storage.upsert_subscription("discord", "g", "2", time="17:00", timezone=NY)
    clock = Clock("2026-06-08T20:29")  # 16:29 New York
    poster = RecordingPoster()
    sched = scheduler(storage, prices, poster, clock)
    assert await sched.check_leader()
    assert await sched.tick() is None and poster.sent == []
    clock.set("2026-06-08T20:30")
    report = await sched.tick()
    assert report is not None and report.sent == 1 and poster.channels() == ["1"]
    clock.set("2026-06-08T20:31")
    await sched.tick()
    clock.set("2026-06-08T21:00")
    await sched.tick()
    assert poster.channels() == ["1", "2"]
    restarted = scheduler(storage, prices, poster, clock)  # a new process: new claimer id
    assert await restarted.check_leader()
    clock.set("2026-06-08T21:05")
    assert (await restarted.tick()).sent == 0  # type: ignore[union-attr]
    assert poster.channels() == ["1", "2"]
    row = await storage.get_delivery(first.id, SESSION)
    assert row is not None and row.state == "sent"


async def test_catch_up_within_grace_and_skip_with_a_log_line_after(
    storage: Storage, prices: PriceService, caplog: pytest.LogCaptureFixture
) -> None:
    """Back at 22:15 NY: the 16:30 digest (5:45 late) goes out, the 16:00 one (6:15) does not."""
    await storage.upsert_subscription("discord", "g", "1", time=None, timezone=NY)
    late = await storage.upsert_subscription("discord", "g", "2", time="16:00", timezone=NY)
    clock = Clock("2026-06-09T02:15")
    poster = RecordingPoster()
    sched = scheduler(storage, prices, poster, clock, grace=timedelta(hours=6))
    await sched.check_leader()
    with caplog.at_level(logging.WARNING, logger="bot.digest.scheduler"):
        await sched.tick()
        clock.set("2026-06-09T02:16")
        await sched.tick()
    assert poster.channels() == ["1"]
    skipped = [r.message for r in caplog.records if "digest skipped" in r.message]
    assert len(skipped) == 1  # logged once, not every minute
    assert f"subscription={late.id}" in skipped[0] and "session=2026-06-08" in skipped[0]


async def test_waits_for_the_sessions_bars_then_posts_older_data_saying_so(
    storage: Storage, tmp_path: Path
) -> None:
    """No bar for the session yet: nothing at 16:30 or 16:59, then at 17:00 with a note."""
    stale = write_price_dir(tmp_path / "stale", {"SPY": 1.0}, end=PREVIOUS)
    await storage.set_watchlist("discord", "g", ["SPY"])
    prices = PriceService(CsvSource(stale), MarketCalendar(), store=storage)
    await storage.upsert_subscription("discord", "g", "1", time=None, timezone=NY)
    clock = Clock("2026-06-08T20:30")
    poster = RecordingPoster()
    sched = scheduler(storage, prices, poster, clock, stale_wait=timedelta(minutes=30))
    await sched.check_leader()
    for minute in ("20:30", "20:45", "20:59"):
        clock.set(f"2026-06-08T{minute}")
        await sched.tick()
    assert poster.sent == []
    clock.set("2026-06-08T21:00")
    await sched.tick()
    [(_, payload, _)] = poster.sent
    assert "this digest uses data as of June 5, 2026" in payload["embeds"][0]["description"]


async def test_dst_weekend_with_the_real_runner(storage: Storage, tmp_path: Path) -> None:
    """Ticks every 10 minutes across November 1: one digest per session per channel, on time."""
    prices_dir = write_price_dir(tmp_path / "p", {"SPY": 1.0}, end=date(2026, 11, 4))
    await storage.set_watchlist("discord", "g", ["SPY"])
    prices = PriceService(CsvSource(prices_dir), MarketCalendar(), store=storage)
    schedules = {"1": (None, NY), "2": ("01:30", NY), "3": ("08:00", "Asia/Shanghai"),
                 "4": ("21:30", "Europe/London")}  # fmt: skip
    for channel, (at, zone) in schedules.items():
        await storage.upsert_subscription("discord", "g", channel, time=at, timezone=zone)
    clock = Clock("2026-10-29T12:00")
    poster = TimedPoster(clock)
    sched = scheduler(storage, prices, poster, clock, grace=timedelta(hours=1))
    await sched.check_leader()
    while clock.now <= utc("2026-11-04T12:00"):
        await sched.tick()
        clock.now += timedelta(minutes=10)
    counts = Counter((channel, session) for channel, session, _ in poster.log)
    assert set(counts.values()) == {1}
    when = {(c, s): t for c, s, t in poster.log}
    assert when[("1", "261030")] == utc("2026-10-30T20:30")  # 16:30 EDT
    assert when[("1", "261102")] == utc("2026-11-02T21:30")  # 16:30 EST
    assert when[("2", "261030")] == utc("2026-10-31T05:30")  # Sat 01:30 EDT
    assert when[("2", "261102")] == utc("2026-11-03T06:30")  # Tue 01:30 EST
    assert when[("3", "261102")] == utc("2026-11-03T00:00")  # Tue 08:00 Shanghai
    assert when[("4", "261102")] == utc("2026-11-02T21:30")  # 21:30 GMT
    sessions = {s for _, s, _ in poster.log}
    assert "261031" not in sessions and "261101" not in sessions  # the weekend
    for channel in schedules:
        assert sorted(s for c, s, _ in poster.log if c == channel) == sorted(
            {s for c, s, _ in poster.log if c == channel}
        )


async def test_jobs_have_stable_ids_and_are_replaced_not_duplicated(
    storage: Storage, prices: PriceService
) -> None:
    """start() twice leaves one tick job (every minute, on the minute) and one leader job."""
    sched = scheduler(storage, prices, RecordingPoster(), Clock("2026-06-08T12:00"))
    await sched.start()
    await sched.start()
    try:
        assert sched.scheduler is not None
        jobs = {job.id: job for job in sched.scheduler.get_jobs()}
        assert set(jobs) == {TICK_JOB_ID, LEADER_JOB_ID}
        assert "second='0'" in str(jobs[TICK_JOB_ID].trigger)
        assert jobs[TICK_JOB_ID].max_instances == 1 and jobs[TICK_JOB_ID].coalesce
    finally:
        await sched.stop()
    assert not sched.scheduler.running and not sched.is_leader


async def test_a_follower_runs_nothing(storage: Storage, prices: PriceService) -> None:
    """Without leadership a tick does nothing, even when digests are due."""
    await storage.upsert_subscription("discord", "g", "1", time=None, timezone=NY)
    poster = RecordingPoster()
    sched = scheduler(storage, prices, poster, Clock("2026-06-08T21:00"))
    assert await sched.tick() is None
    assert poster.sent == [] and await storage.deliveries_for(SESSION) == []


LOCK_HOLDER = """
import asyncio, sys
from bot.storage import open_storage
from bot.digest.scheduler import LEADER_LOCK_KEY
async def main():
    async with open_storage(sys.argv[1]) as storage:
        assert await storage.try_advisory_lock(LEADER_LOCK_KEY)
        print("locked", flush=True)
        await asyncio.sleep(600)
asyncio.run(main())
"""


async def test_leader_election_on_postgresql(db_url: str, price_dir: Path) -> None:
    """One leader at a time; a released lock moves at once; a killed leader's lock is taken over."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process by design: the lock is always granted")
    pg_url = db_url
    clock = Clock("2026-06-08T21:00")
    async with open_storage(pg_url) as a_store, open_storage(pg_url) as b_store:
        await a_store.upsert_subscription("discord", "lead", "1", time=None, timezone=NY)
        poster = RecordingPoster()
        prices_a = PriceService(CsvSource(price_dir), MarketCalendar(), store=a_store)
        prices_b = PriceService(CsvSource(price_dir), MarketCalendar(), store=b_store)
        a = scheduler(a_store, prices_a, poster, clock)
        b = scheduler(b_store, prices_b, poster, clock)
        assert await a.check_leader() and not await b.check_leader()
        assert await b.tick() is None and poster.sent == []
        assert (await a.tick()).sent == 1  # type: ignore[union-attr]
        await a.stop()  # releases the lock
        assert await b.check_leader()
        await b.stop()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK_HOLDER, pg_url, stdout=subprocess.PIPE, env=env
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.wait_for(holder.stdout.readline(), 60)).strip() == b"locked"
        async with open_storage(pg_url) as c_store:
            c = scheduler(c_store, prices_a, poster, clock)
            assert not await c.check_leader()
            holder.kill()  # SIGKILL: PostgreSQL ends its session and frees the lock
            await holder.wait()
            for _ in range(100):  # a few polls; the scheduler polls every 15 s
                if await c.check_leader():
                    break
                await asyncio.sleep(0.1)
            assert c.is_leader
            await c.stop()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_stop_lets_claimed_posts_finish_and_claims_nothing_new(
    storage: Storage, prices: PriceService
) -> None:
    """SIGTERM mid fan-out: posts already claimed complete and are marked sent; none start."""

    posting = asyncio.Event()
    entered: list[str] = []

    class SlowPoster(RecordingPoster):
        async def send_message(self, channel_id, payload, files=(), *, server_id=None):
            entered.append(channel_id)
            if len(entered) == 2:
                posting.set()
            await asyncio.sleep(0.3)
            return await super().send_message(channel_id, payload, files)

    for channel in ("1", "2", "3", "4"):
        await storage.upsert_subscription("discord", "g", channel, time=None, timezone=NY)
    poster = SlowPoster()
    runner = DigestRunner(
        storage, prices, {"discord": poster}, heatmaps=False, rates={}, concurrency=2
    )
    sched = DigestScheduler(
        runner, storage, DigestSchedule(prices.calendar), clock=Clock("2026-06-08T21:00")
    )
    assert await sched.check_leader()
    tick = asyncio.create_task(sched.tick())
    await asyncio.wait_for(posting.wait(), 30)  # two posts claimed and in flight
    await sched.stop()
    await tick
    rows = await storage.deliveries_for(SESSION)
    assert sorted(r.state for r in rows) == ["sent", "sent"]  # no row left 'claimed'
    assert len(poster.sent) == 2
