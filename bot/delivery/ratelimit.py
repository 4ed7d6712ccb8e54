"""Pacing of outgoing posts per platform, so a fan-out stays under the platform's global limit.

Each channel declares its rate (:attr:`bot.delivery.poster.Capabilities.rate`); a channel that
leaves it None is not paced here (its poster honours ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from bot.delivery.channels import channel_for

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


def spacer_for(platform: str, rates: Mapping[str, float] | None = None) -> RateSpacer | None:
    """The spacer of ``platform``: at ``rates[platform]`` when ``rates`` is given, else at the
    rate its channel declares; None when it is not paced."""
    rate = channel_for(platform).capabilities.rate if rates is None else rates.get(platform)
    return None if rate is None else RateSpacer(rate)
