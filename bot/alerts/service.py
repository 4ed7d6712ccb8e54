"""Alerts on the digest's clock: one more job on the same scheduler, run only by its leader.

They stop as the digest does: no new claims once a stop begins, and a post in flight is let
finish (``DigestScheduler.posting``) within the same bound.

An alert for a session is due when the default digest is (30 minutes after the close) and stays
due for the digest's grace window, so a restart catches it up; the alert ledger decides what was
already posted. A holiday is no session, so it never becomes due. Each ticker is evaluated after
its own exchange's close (issue 21): the alerts of Hong Kong funds at 16:30 Hong Kong time on
Hong Kong's sessions, those of US funds at 16:30 New York time on New York's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.alerts.runner import AlertReport, AlertRunner
from bot.clock import utc_now
from bot.delivery.poster import Poster
from bot.digest.schedule import DigestSchedule, MarketSchedules
from bot.digest.scheduler import DEFAULT_GRACE, DigestScheduler
from bot.settings import Settings
from bot.storage import Storage
from commands.digest import DEFAULT_TIMEZONE
from signals.service import PriceService

log = logging.getLogger(__name__)

ALERT_JOB_ID = "alerts-tick"


class AlertClock:
    """Runs the alerts of the session that is due, on the digest leader only."""

    def __init__(
        self,
        runner: AlertRunner,
        digests: DigestScheduler,
        schedule: DigestSchedule | MarketSchedules,
        *,
        grace: timedelta = DEFAULT_GRACE,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.runner = runner
        self.digests = digests
        # each alert's ticker on its own exchange's sessions (New York's the one given)
        self.schedule = (
            schedule if isinstance(schedule, MarketSchedules) else MarketSchedules(schedule)
        )
        self.grace = grace
        self.clock = clock

    async def tick(self) -> AlertReport | None:
        """Evaluate and post the alerts of each exchange whose session is due (the tickers'
        own exchanges); None when not the leader or nothing is due."""
        if not self.digests.active():
            return None
        now = self.clock()
        try:
            markets = await self.runner.markets()
        except Exception:
            log.exception("alert tick failed: the alerts could not be read")
            return None
        report: AlertReport | None = None
        for market in markets:
            due = self.schedule.of(market).due(None, DEFAULT_TIMEZONE, now)
            if due is None or now - due.fire_at > self.grace:
                continue
            try:
                with self.digests.posting():  # a graceful stop lets this run finish its post
                    one = await self.runner.run(
                        due.session, due_at=due.fire_at, active=self.digests.active, market=market
                    )
            except Exception:
                log.exception("alert tick failed session=%s market=%s", due.session, market)
                continue
            report = one if report is None else report.merged(one)
        return report

    def start(self) -> None:
        """Add the alert job to the digest's scheduler (stable id, never overlapping itself)."""
        scheduler = self.digests.scheduler
        if scheduler is None:
            raise RuntimeError("start the digest scheduler first")
        scheduler.add_job(
            self.tick,
            CronTrigger(second=30, timezone="UTC"),
            id=ALERT_JOB_ID,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=25,
        )


def start_alerts(
    settings: Settings,
    storage: Storage,
    prices: PriceService,
    posters: Mapping[str, Poster],
    digests: DigestScheduler | None,
) -> AlertClock | None:
    """Put the alerts on the digest's clock for ``run_bot``; None (logged) if they cannot run."""
    if digests is None:
        log.warning("no digest scheduler: regime alerts are off")
        return None
    try:
        # the digest runner's prices: the same cache, and a missing bar is re-fetched each minute
        runner = AlertRunner(
            storage,
            digests.runner.prices,
            posters,
            default_language=settings.chat.default_language,
            claimer_id=digests.runner.claimer_id,  # one instance id per process
            lease=digests.runner.lease,
        )
        alerts = AlertClock(
            runner,
            digests,
            DigestSchedule(prices.calendar),
            grace=timedelta(hours=settings.digest.digest_grace_hours),
        )
        alerts.start()
        return alerts
    except Exception:
        log.exception("regime alerts could not start; the bot runs without them")
        return None
