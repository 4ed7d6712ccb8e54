"""The digest clock: two APScheduler jobs, leader election, and what is due at each tick.

- ``digest-leader`` (every 15 s): take the PostgreSQL advisory lock if nobody holds it, or check
  that ours is still alive. Only the leader runs digests; when it dies its session ends, the lock
  is freed and another process takes it within one interval. SQLite always grants it.
- ``digest-tick`` (every minute, on the minute, UTC): the leader asks the schedule which
  (subscription, session) pairs are due *now* (:mod:`bot.digest.schedule`) and hands those to the
  runner, which asks the delivery ledger which are still unsent. A pair stays due from its fire
  instant until the grace window closes, so a tick missed while the process was down (or not the
  leader) is caught up by the first tick after it comes back; after the window it is skipped
  with a log line. Fire instants are plain UTC instants, so daylight-saving changes and clock
  jumps cannot fire a pair twice: the ledger decides. A new leader catches up at its first tick
  (within a minute), after the adapters have had time to connect.

Both jobs have stable ids and ``replace_existing``; the tick has ``max_instances=1`` and
``coalesce`` so a long fan-out is never overlapped by the next minute's tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utc_now
from bot.digest.claims import RunReport, Target
from bot.digest.fanout import DigestRunner
from bot.digest.schedule import DigestSchedule, Due
from bot.storage import Storage, Subscription

log = logging.getLogger(__name__)

#: How long stop() lets claimed posts finish (the whole shutdown stays under 10 s).
STOP_GRACE = 6.0
#: A lock-connection ping that hangs longer than this means leadership is lost.
LEADER_CHECK_LIMIT = 5.0

TICK_JOB_ID = "digest-tick"
LEADER_JOB_ID = "digest-leader"
#: PostgreSQL advisory lock key of the digest leader ("Sgnald").
LEADER_LOCK_KEY = 0x5167_6E61_6C64
DEFAULT_GRACE = timedelta(hours=6)
#: How long a digest waits for the source's bar of its session before posting older data.
DEFAULT_STALE_WAIT = timedelta(minutes=30)
LEADER_INTERVAL = 15.0


def plan(
    subscriptions: Sequence[Subscription],
    now: datetime,
    schedule: DigestSchedule,
    *,
    grace: timedelta = DEFAULT_GRACE,
    stale_wait: timedelta = DEFAULT_STALE_WAIT,
) -> tuple[list[Target], list[tuple[Subscription, Due]]]:
    """Targets due at ``now`` within ``grace``, and the (subscription, due) pairs past it."""
    targets: list[Target] = []
    late: list[tuple[Subscription, Due]] = []
    for sub in subscriptions:
        if not sub.enabled:
            continue
        due = schedule.due(sub.time, sub.timezone, now)
        if due is None:
            continue
        items = [due]
        # The session before can be due too: after downtime across two sessions, or when a
        # custom time puts the eve of an early close and the early close at one instant. It
        # counts only for a subscription that already existed when it fell due; the ledger
        # skips it when it was sent.
        earlier = schedule.calendar.previous_session(due.session)
        fire = schedule.fire_at(earlier, sub.time, sub.timezone)
        if sub.created_at <= fire:
            items.insert(0, Due(fire_at=fire, session=earlier))
        for item in items:
            waited = now - item.fire_at
            if waited > grace:
                late.append((sub, item))
                continue
            allow_stale = waited >= min(stale_wait, grace)
            targets.append(Target(subscription=sub, session=item.session, allow_stale=allow_stale))
    return targets, late


class DigestScheduler:
    """Runs due digests every minute while this process is the leader."""

    def __init__(
        self,
        runner: DigestRunner,
        storage: Storage,
        schedule: DigestSchedule,
        *,
        grace: timedelta = DEFAULT_GRACE,
        stale_wait: timedelta = DEFAULT_STALE_WAIT,
        clock: Callable[[], datetime] = utc_now,
        leader_interval: float = LEADER_INTERVAL,
        lock_key: int = LEADER_LOCK_KEY,
    ) -> None:
        self.runner = runner
        self.storage = storage
        self.schedule = schedule
        self.grace = grace
        self.stale_wait = stale_wait
        self.clock = clock
        self.leader_interval = leader_interval
        self.lock_key = lock_key
        self.is_leader = False
        self.scheduler: AsyncIOScheduler | None = None
        self._late_logged: set[tuple[int, date]] = set()
        self._running: asyncio.Task[object] | None = None

    async def start(self) -> None:
        """Add the two jobs (stable ids) and start the scheduler; the leader check runs now."""
        scheduler = self.scheduler or AsyncIOScheduler(timezone=UTC)
        self.scheduler = scheduler
        scheduler.add_job(
            self.check_leader,
            IntervalTrigger(seconds=self.leader_interval, timezone=UTC),
            id=LEADER_JOB_ID,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            self.tick,
            CronTrigger(second=0, timezone=UTC),
            id=TICK_JOB_ID,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=50,
        )
        if not scheduler.running:
            scheduler.start()
        log.info("digest scheduler started grace=%s stale_wait=%s", self.grace, self.stale_wait)

    async def stop(self) -> None:
        """Stop the jobs, let posts in flight finish (bounded), then give up leadership.

        Claiming stops first (no longer the leader), so a fan-out in progress only finishes the
        posts it already claimed; cancelling those would leave rows 'claimed' and post them
        again after a restart.
        """
        leader, self.is_leader = self.is_leader, False  # active() is now False: no new claims
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the next loop iteration
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), STOP_GRACE)
            except (TimeoutError, Exception):
                log.warning("digest fan-out still posting after %.0fs; cancelling it", STOP_GRACE)
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await running
        self.is_leader = leader
        if self.is_leader:
            self.is_leader = False
            await self.storage.release_advisory_lock()
        log.info("digest scheduler stopped")

    async def check_leader(self) -> bool:
        """Become (or stay) the leader if the advisory lock allows; True when leader."""
        try:
            held = self.is_leader and await asyncio.wait_for(
                self.storage.leader.still_held(), LEADER_CHECK_LIMIT
            )
            if self.is_leader and not held:
                self.is_leader = False
                log.warning("digest leadership lost; digests stop in this process")
            if not self.is_leader and await self.storage.try_advisory_lock(self.lock_key):
                self.is_leader = True
                log.info("digest leader now: this process runs the digests")
        except Exception:
            log.exception("digest leader check failed")
            self.is_leader = False
        return self.is_leader

    async def tick(self) -> RunReport | None:
        """Run every digest due now (only on the leader); the run's report, or None."""
        if not self.is_leader:
            return None
        self._running = asyncio.current_task()
        try:
            now = self.clock()
            subs = await self.storage.list_subscriptions()
            targets, late = plan(
                subs, now, self.schedule, grace=self.grace, stale_wait=self.stale_wait
            )
            await self._log_late(late)
            if not targets:
                return None
            return await self.runner.run(targets, active=lambda: self.is_leader)
        except Exception:
            log.exception("digest tick failed")
            return None
        finally:
            self._running = None

    async def _log_late(self, late: Sequence[tuple[Subscription, Due]]) -> None:
        """One line per (subscription, session) missed beyond the grace window and never sent."""
        fresh = [(s, d) for s, d in late if (s.id, d.session) not in self._late_logged]
        sent: dict[date, set[int]] = {}
        for sub, due in fresh:
            if due.session not in sent:
                rows = await self.storage.deliveries_for(due.session)
                sent[due.session] = {r.subscription_id for r in rows if r.state == "sent"}
            self._late_logged.add((sub.id, due.session))
            if sub.id not in sent[due.session]:
                log.warning(
                    "digest skipped: missed by more than the grace window subscription=%d "
                    "platform=%s channel=%s session=%s due_at=%s grace=%s",
                    sub.id,
                    sub.platform,
                    sub.channel_id,
                    due.session,
                    due.fire_at.isoformat(),
                    self.grace,
                )
        if len(self._late_logged) > 100_000:
            self._late_logged.clear()
