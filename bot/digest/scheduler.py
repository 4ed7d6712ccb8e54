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
  jumps cannot fire a pair twice: the ledger decides. A process that becomes the leader at
  start-up ticks ``STARTUP_TICK_DELAY`` later (the adapters have had time to connect); one
  that takes over from a dead leader ticks at once, and again just after the leases of the
  dead leader's claims end (``digest-extra-tick``), so its unfinished deliveries are taken
  over within a lease. A tick cut short by a database error, or whose deliveries were (their
  claims are left to end with their lease), is followed by an extra tick one lease later: the
  process retries its own unfinished claims without waiting for a restart.
- Each tick also draws, in the background, the heatmaps of digests due within the next
  ``PRERENDER_AHEAD`` (each distinct picture once per session), so posting at the due time
  runs at the platform's rate.
- ``stop()`` pauses the jobs, lets posts in flight finish (bounded), then shuts them down.

Both jobs have stable ids and ``replace_existing``; the tick has ``max_instances=1`` and
``coalesce`` so a long fan-out is never overlapped by the next minute's tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utc_now
from bot.digest.claims import RunReport, Target
from bot.digest.fanout import DigestRunner
from bot.digest.schedule import DigestSchedule, Due, MarketSchedules
from bot.storage import Storage, Subscription

log = logging.getLogger(__name__)

#: How long stop() lets posts in flight finish by default (``SIGNALBOT_DIGEST_STOP_SECONDS``).
STOP_GRACE = 20.0
#: A lock-connection ping that hangs longer than this means leadership is lost.
LEADER_CHECK_LIMIT = 5.0

TICK_JOB_ID = "digest-tick"
LEADER_JOB_ID = "digest-leader"
RETRY_JOB_ID = "digest-extra-tick"
#: PostgreSQL advisory lock key of the digest leader ("Sgnald").
LEADER_LOCK_KEY = 0x5167_6E61_6C64
DEFAULT_GRACE = timedelta(hours=6)
#: How long a digest waits for the source's bar of its session before posting older data.
DEFAULT_STALE_WAIT = timedelta(minutes=30)
LEADER_INTERVAL = 15.0
#: A process that leads from its start runs its first tick this many seconds later.
STARTUP_TICK_DELAY = 10.0
#: Heatmaps of digests due within this window are drawn ahead, off the posting path.
PRERENDER_AHEAD = timedelta(minutes=10)


def plan(
    subscriptions: Sequence[Subscription],
    now: datetime,
    schedule: DigestSchedule | MarketSchedules,
    *,
    grace: timedelta = DEFAULT_GRACE,
    stale_wait: timedelta = DEFAULT_STALE_WAIT,
) -> tuple[list[Target], list[tuple[Subscription, Due]]]:
    """Targets due at ``now`` within ``grace``, and the (subscription, due) pairs past it.

    Each subscription is planned on the sessions of the exchange it follows (its ``market``)
    when ``schedule`` is a :class:`MarketSchedules`; a single schedule plans every one on it.
    """
    targets: list[Target] = []
    late: list[tuple[Subscription, Due]] = []
    for sub in subscriptions:
        if not sub.enabled:
            continue
        one = schedule.of(sub.market) if isinstance(schedule, MarketSchedules) else schedule
        due = one.due(sub.time, sub.timezone, now)
        if due is None:
            continue
        items = [due]
        # The session before can be due too: after downtime across two sessions, or when a
        # custom time puts the eve of an early close and the early close at one instant. It
        # counts only for a subscription that already existed when it fell due; the ledger
        # skips it when it was sent.
        earlier = one.calendar.previous_session(due.session)
        fire = one.fire_at(earlier, sub.time, sub.timezone)
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
        schedule: DigestSchedule | MarketSchedules,
        *,
        grace: timedelta = DEFAULT_GRACE,
        stale_wait: timedelta = DEFAULT_STALE_WAIT,
        clock: Callable[[], datetime] = utc_now,
        leader_interval: float = LEADER_INTERVAL,
        lock_key: int = LEADER_LOCK_KEY,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.runner = runner
        self.storage = storage
        # every subscription on the sessions of the exchange it follows (New York's given)
        self.schedule = (
            schedule if isinstance(schedule, MarketSchedules) else MarketSchedules(schedule)
        )
        self.grace = grace
        self.stale_wait = stale_wait
        self.clock = clock
        self.leader_interval = leader_interval
        self.lock_key = lock_key
        self.stop_grace = stop_grace
        self._stopping = False
        self._checked = False
        self._prerender: asyncio.Task[None] | None = None
        self.is_leader = False
        self.scheduler: AsyncIOScheduler | None = None
        self._late_logged: set[tuple[int, date]] = set()
        self._running: asyncio.Task[object] | None = None
        self._posting: set[asyncio.Task[object]] = set()  # other jobs' runs (regime alerts)

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

    async def stop(self, drain: float | None = None) -> None:
        """Stop claiming at once, let posts in flight finish (at most ``drain`` seconds, default
        ``stop_grace``), then stop the jobs and give up leadership.

        The scheduler is only *paused* while the fan-out drains: APScheduler's
        ``shutdown(wait=False)`` cancels the running job, which would cut posts off mid-flight.
        Deliveries not started when the stop came never claim (or give their claim back); a
        post still running when the bound ends is cancelled, and its claim is left to its lease
        so that the next holder asks the platform before posting it again.
        """
        self._stopping = True  # active() is now False: no new claims, no new ticks
        if self._prerender is not None:
            self._prerender.cancel()
        bound = self.stop_grace if drain is None else drain
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        running = {t for t in (self._running, *self._posting) if t is not None and not t.done()}
        if running:
            log.info("digest stop: letting posts in flight finish (at most %.0f s)", bound)
            _, late = await asyncio.wait(running, timeout=bound)
            if late:
                log.warning("digest fan-out still posting after %.0f s; cancelling it", bound)
                for task in late:
                    task.cancel()
                for task in late:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the next loop iteration
        if self.is_leader:
            self.is_leader = False
            await self.storage.release_advisory_lock()
        log.info("digest scheduler stopped")

    @contextlib.contextmanager
    def posting(self) -> Iterator[None]:
        """Count the current task as posting: :meth:`stop` lets it finish (bounded) first."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._posting.add(task)
        try:
            yield
        finally:
            self._posting.discard(task)

    def active(self) -> bool:
        """May the fan-out claim another delivery now (leader and not stopping)?"""
        return self.is_leader and not self._stopping

    async def check_leader(self) -> bool:
        """Become (or stay) the leader if the advisory lock allows; True when leader."""
        if self._stopping:
            return False
        was_leader = self.is_leader
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
        if self.is_leader and not was_leader:
            # took over from a leader that died: catch up now, not at the next minute; at
            # start-up (a restart) shortly, once the adapters had time to connect
            self._tick_soon(STARTUP_TICK_DELAY if not self._checked else 0.0)
        self._checked = True
        return self.is_leader

    def _tick_soon(self, delay: float) -> None:
        """Run one extra tick after ``delay`` seconds (a takeover, or a lease about to end)."""
        if self.scheduler is None or not self.scheduler.running or self._stopping:
            return
        when = datetime.now(UTC) + timedelta(seconds=delay)
        self.scheduler.add_job(
            self.tick,
            DateTrigger(run_date=when, timezone=UTC),
            id=RETRY_JOB_ID,
            replace_existing=True,
            misfire_grace_time=30,
        )

    async def tick(self) -> RunReport | None:
        """Run every digest due now (only on the leader); the run's report, or None."""
        if not self.active():
            return None
        if self._running is not None and not self._running.done():
            return None  # the minute's tick and an extra one never overlap
        self._running = asyncio.current_task()
        try:
            now = self.clock()
            subs = await self.storage.list_subscriptions()
            targets, late = plan(
                subs, now, self.schedule, grace=self.grace, stale_wait=self.stale_wait
            )
            await self._log_late(late)
            self._prerender_ahead(subs, now, targets)
            if not targets:
                return None
            report = await self.runner.run(targets, active=self.active)
            if report.held and report.lease_ends is not None:
                # live claims (another instance's, or ours left by a database error): look
                # again just after their lease ends, by the database's clock
                wait = (report.lease_ends - await self.storage.db_now()).total_seconds()
                self._tick_soon(max(wait, 0.0) + 1.0)
            elif report.crashed:  # claims it left end with their lease: retry them then
                self._tick_soon(self.runner.lease.total_seconds() + 1.0)
            return report
        except Exception:
            log.exception("digest tick failed")
            # the database, most often: try again within a lease, not only at the next minute
            self._tick_soon(self.runner.lease.total_seconds() + 1.0)
            return None
        finally:
            self._running = None

    def _prerender_ahead(
        self, subs: Sequence[Subscription], now: datetime, due: Sequence[Target]
    ) -> None:
        """Draw, in the background, the heatmaps of digests due within ``PRERENDER_AHEAD``."""
        if not self.runner.heatmaps or (self._prerender and not self._prerender.done()):
            return
        soon, _ = plan(
            subs, now + PRERENDER_AHEAD, self.schedule, grace=self.grace, stale_wait=self.stale_wait
        )
        now_due = {(t.subscription.id, t.session) for t in due}
        upcoming = [t for t in soon if (t.subscription.id, t.session) not in now_due]
        if upcoming:
            self._prerender = asyncio.create_task(self._draw(upcoming), name="digest-prerender")

    async def _draw(self, targets: Sequence[Target]) -> None:
        try:
            await self.runner.prerender(targets)
        except Exception:  # drawing ahead is an optimisation: the fan-out draws what is missing
            log.exception("digest heatmap pre-render failed")

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
