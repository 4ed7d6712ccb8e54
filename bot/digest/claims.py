"""What the delivery ledger still allows a runner to send, and what a run did.

A claim left behind is taken over once its lease (``claimed_until``, by the database's clock)
ends: by a process that died, or by this very process when a database error came between its
post and its mark (the claim is then retried, after asking the platform, by the next run).
The holder renews the claims it works on, so a live one is never taken over.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.delivery.retry import RETRY, RetryPolicy
from bot.storage import Delivery, Storage, Subscription

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    """What became of one delivery (a digest, or one of its parts); metrics count these."""

    SENT = "sent"  # posted now
    RECOVERED = "recovered"  # an earlier attempt had posted it: found on the platform, marked
    FAILED = "failed"  # the platform refused or timed out: retried by a later run
    GONE = "gone"  # the channel is gone: subscription disabled
    PAUSED = "paused"  # refused for a reason an admin can fix: paused, retried next session
    SKIPPED = "skipped"  # sent already, held by another instance, or out of attempts
    STOPPED = "stopped"  # not started: the process is stopping (claim released)


@dataclass(frozen=True)
class PartResult:
    """The outcome of one part and the id of its message when it is on the platform."""

    outcome: Outcome
    message_id: str | None = None


@dataclass(frozen=True)
class Target:
    """A subscription whose digest of ``session`` should go out now.

    ``allow_stale``: post even if the source has no bar for ``session`` yet for some ticker (the
    digest then says which session its data is from); False defers such a digest.
    """

    subscription: Subscription
    session: date
    allow_stale: bool = True


@dataclass
class RunReport:
    """What one run did (counts of subscriptions, except ``messages``)."""

    sent: int = 0
    failed: int = 0
    gone: int = 0
    paused: int = 0  # refused for a fixable reason (missing permission): retried next session
    skipped: int = 0  # already sent, being sent elsewhere, out of attempts, or no poster
    held: int = 0  # of the skipped: claimed by another live instance (lease running)
    lease_ends: datetime | None = None  # earliest end of those leases
    stopped: int = 0  # not started because the process is stopping
    crashed: int = 0  # deliveries cut off by an error (the database's, mostly): retried later
    recovered: int = 0  # parts found on the platform after an unknown outcome (marked sent)
    deferred: int = 0  # data not complete yet and still allowed to wait
    messages: int = 0
    upstream_calls: int = 0
    sessions: list[date] = field(default_factory=list)
    no_poster: set[str] = field(default_factory=set)  # platforms of skipped subscriptions

    @property
    def eventful(self) -> bool:
        """Something was sent, failed, disabled or deferred (not just skipped)."""
        return bool(self.sent or self.failed or self.gone or self.paused or self.deferred)


def _open(row: Delivery, now: datetime, retry_backoff: timedelta) -> bool:
    """May this part be claimed now (``now``: the database's time)? A failed one while the
    retry policy allows (:data:`bot.delivery.retry.RETRY`, with the runner's backoff)."""
    if row.state == "failed":
        policy = RetryPolicy(RETRY.max_attempts, retry_backoff)
        return policy.may_retry(row.attempts, row.claimed_until, now)
    if row.state == "claimed":
        lease = row.claimed_until  # anyone's, this instance's too: nobody works on it any more
        return lease is None or lease < now
    return False


async def open_targets(
    storage: Storage,
    session: date,
    targets: Sequence[Target],
    *,
    claimer_id: str,
    posters: Collection[str],
    retry_backoff: timedelta,
    report: RunReport,
) -> tuple[list[Target], dict[int, dict[int, Delivery]]]:
    """Targets of ``session`` with a part still to send, and the ledger rows by subscription/part.

    A target is open when it has no row yet, or a part that is not sent and may be claimed
    (failed and its backoff over, or claimed under a lease that ended, whoever claimed it).
    Skipped (counted in ``report``): fully sent, held by a live lease (``report.held``, with
    the earliest lease end in ``report.lease_ends``, by the database's clock; a claim of
    ``claimer_id`` counts too: runs do not overlap, so it is one left by a database error and
    is retried once its lease ends), out of attempts, or without a poster.
    """
    ledger: dict[int, dict[int, Delivery]] = {}
    for row in await storage.deliveries_for(session):
        ledger.setdefault(row.subscription_id, {})[row.part] = row
    now = await storage.db_now()
    pending = []
    for target in targets:
        sub = target.subscription
        rows = ledger.get(sub.id, {})
        if sub.platform not in posters:
            report.no_poster.add(sub.platform)
            report.skipped += 1
            continue
        if not rows:
            pending.append(target)
            continue
        parts = max((r.parts or 0 for r in rows.values()), default=0)
        unsent = [r for r in rows.values() if r.state != "sent"]
        if not unsent and len(rows) < parts:  # killed between two parts: the rest is new
            pending.append(target)
            continue
        if any(_open(r, now, retry_backoff) for r in unsent):
            pending.append(target)
            continue
        held = [r for r in unsent if r.state == "claimed"]
        if held:
            report.held += 1
            ends = min(r.claimed_until or now for r in held)
            report.lease_ends = min(ends, report.lease_ends or ends)
        report.skipped += 1
    return pending, ledger


def count_outcome(
    report: RunReport, sub: Subscription, session: date, outcome: Outcome, ids: Sequence[str]
) -> None:
    """Count one subscription's digest in ``report`` (and log it when sent)."""
    if outcome is Outcome.SENT:
        report.sent += 1
        report.messages += len(ids)
        log.info(
            "digest sent platform=%s channel=%s subscription=%d session=%s messages=%d",
            sub.platform,
            sub.channel_id,
            sub.id,
            session,
            len(ids),
        )
    elif outcome is Outcome.FAILED:
        report.failed += 1
    elif outcome is Outcome.GONE:
        report.gone += 1
    elif outcome is Outcome.PAUSED:
        report.paused += 1
    elif outcome is Outcome.STOPPED:
        report.stopped += 1
    else:
        report.skipped += 1


def log_report(report: RunReport, targets: int, seconds: float) -> None:
    """The run's one summary line (INFO when something happened, else DEBUG)."""
    log.log(
        logging.INFO if report.eventful or report.crashed else logging.DEBUG,
        "digest run sessions=%s targets=%d sent=%d failed=%d gone=%d skipped=%d "
        "deferred=%d crashed=%d messages=%d upstream_calls=%d duration_ms=%.0f",
        ",".join(str(s) for s in report.sessions),
        targets,
        report.sent,
        report.failed,
        report.gone,
        report.skipped,
        report.deferred,
        report.crashed,
        report.messages,
        report.upstream_calls,
        seconds * 1000,
    )


def by_session(targets: Sequence[Target]) -> dict[date, list[Target]]:
    """The targets by session, oldest session first."""
    grouped: dict[date, list[Target]] = {}
    for target in targets:
        grouped.setdefault(target.session, []).append(target)
    return dict(sorted(grouped.items()))
