"""A per-user cooldown: one member cannot exhaust the price source with /signal.

The one cooldown of every platform (Discord keys it by user id, Slack by workspace and user).
Per process (so per shard when several processes share the shards): a server's interactions
always reach the process holding its shard, so a member is limited per server; README,
"Running several processes".
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class Cooldown:
    """At most one charged use per ``seconds`` per key (a user id); 0 turns it off."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: dict[str, float] = {}

    def retry_after(self, key: str) -> float:
        """Seconds ``key`` must still wait (0.0 when it may go now)."""
        until = self._until.get(key)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._until[key]
            return 0.0
        return left

    def charge(self, key: str) -> None:
        """Start ``key``'s cooldown now (and forget expired entries, so memory stays small)."""
        if self.seconds <= 0:
            return
        now = self._clock()
        if len(self._until) > 1024:
            self._until = {k: v for k, v in self._until.items() if v > now}
        self._until[key] = now + self.seconds

    def take(self, key: str) -> int:
        """Charge ``key`` and return 0 when it may go now; else the whole seconds it must wait."""
        left = self.retry_after(key)
        if left > 0:
            return self.shown_seconds(left)
        self.charge(key)
        return 0

    def refund(self, key: str) -> None:
        """Forget ``key``'s cooldown (its request never reached the price source)."""
        self._until.pop(key, None)

    @staticmethod
    def shown_seconds(retry_after: float) -> int:
        """Whole seconds to tell the user (never 0 while a cooldown is running)."""
        return max(1, math.ceil(retry_after))
