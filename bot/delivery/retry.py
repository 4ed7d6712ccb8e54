"""One retry policy for every delivery: digest parts and regime alerts alike.

A failed delivery is tried again while its window is open (a digest's grace window; an alert's
session is due for the same window). The attempt cap only stops a delivery that crashes the
sender every time: a platform outage must not use up a session's message, so the cap is high
(3 attempts, the alerts' old cap, were spent by a five-minute outage: alerts tick every minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failed delivery is claimed again, and after how long."""

    max_attempts: int = 60
    #: a failed digest part waits this long before its next claim (alerts wait for their tick)
    backoff: timedelta = timedelta(minutes=2)

    def may_retry(self, attempts: int, failed_at: datetime | None, now: datetime) -> bool:
        """May a failed delivery with ``attempts`` claims, failed at ``failed_at``, be claimed
        again at ``now`` (the database's time)?"""
        return attempts < self.max_attempts and (
            failed_at is None or failed_at <= now - self.backoff
        )


#: The policy of digest parts and alerts.
RETRY = RetryPolicy()
