"""What the delivery ledger still allows a runner to send, and what a run did.

A claim left behind by a process that died (same host, pid gone) is released at once; one from
another host is taken over by ``claim_delivery`` when it is older than the ledger's timeout.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.storage import CLAIM_TIMEOUT, Storage, Subscription

log = logging.getLogger(__name__)

#: A failed digest is retried (every retry backoff) while its grace window is open; this cap
#: only stops a delivery that crashes the sender every time. An outage of the platform must
#: not use up the session's digest (3 attempts over 6 minutes would).
DIGEST_MAX_ATTEMPTS = 60


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
    skipped: int = 0  # already sent, being sent elsewhere, out of attempts, or no poster
    deferred: int = 0  # data not complete yet and still allowed to wait
    messages: int = 0
    upstream_calls: int = 0
    sessions: list[date] = field(default_factory=list)
    no_poster: set[str] = field(default_factory=set)  # platforms of skipped subscriptions

    @property
    def eventful(self) -> bool:
        """Something was sent, failed, disabled or deferred (not just skipped)."""
        return bool(self.sent or self.failed or self.gone or self.deferred)


def claimer_is_dead(claimed_by: str) -> bool:
    """True only when ``claimed_by`` names a process on this host that no longer runs.

    Claimer ids are ``host:pid:random`` (:func:`bot.storage.new_claimer_id`). Anything else, another
    host, or our own pid (another runner in this process) counts as alive.
    """
    host, _, rest = claimed_by.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:80] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    with contextlib.suppress(OSError):  # a zombie is dead but still answers signal 0
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
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
) -> list[Target]:
    """Targets of ``session`` the ledger still allows; claims of dead local processes released.

    Skipped (counted in ``report``): sent, claimed by a live claimer (or by this one), failed
    too often or too recently, or on a platform without a poster.
    """
    ledger = {row.subscription_id: row for row in await storage.deliveries_for(session)}
    now = storage.now()
    pending = []
    for target in targets:
        sub = target.subscription
        row = ledger.get(sub.id)
        if sub.platform not in posters:
            report.no_poster.add(sub.platform)
        elif row is None:
            pending.append(target)
            continue
        elif row.state == "claimed" and row.claimed_by != claimer_id:
            if claimer_is_dead(row.claimed_by):
                reason = f"claimer {row.claimed_by} died before marking it sent"
                await storage.mark_failed(sub.id, session, row.claimed_by, reason)
                log.warning(
                    "digest claim released subscription=%d session=%s: %s", sub.id, session, reason
                )
                pending.append(target)
                continue
            if row.claimed_at < now - CLAIM_TIMEOUT:
                pending.append(target)
                continue
        elif (
            row.state == "failed"
            and row.attempts < DIGEST_MAX_ATTEMPTS
            and row.claimed_at <= now - retry_backoff
        ):
            pending.append(target)
            continue
        report.skipped += 1
    return pending
