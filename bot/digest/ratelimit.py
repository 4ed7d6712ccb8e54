"""Pacing of outgoing posts per platform, so a fan-out stays under the platform's global limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

#: Requests per second a digest fan-out sends per platform. Discord allows a bot 50 per second
#: in total; 48 leaves room for the adapter's own calls. Slack limits per channel (the poster
#: honours ``Retry-After``), so it is not paced here.
DEFAULT_RATES: dict[str, float] = {"discord": 48.0}

Sleep = Callable[[float], Awaitable[None]]


class RateSpacer:
    """Hands out send slots at most ``rate`` per second, evenly spaced (no bursts)."""

    def __init__(
        self,
        rate: float,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._sleep = sleep
        self._clock = clock

    async def wait(self) -> None:
        """Wait for the next slot (slots are reserved in call order)."""
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)
