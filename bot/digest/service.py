"""Wiring of the digest into ``run_bot``: posters from the adapters, a runner, the scheduler."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from bot.adapters.base import Adapter
from bot.delivery.poster import Poster
from bot.delivery.posters import adapter_posters
from bot.digest.fanout import DigestRunner
from bot.digest.schedule import DigestSchedule
from bot.digest.scheduler import DigestScheduler
from bot.settings import Settings
from bot.storage import Storage
from signals.service import PriceService

log = logging.getLogger(__name__)

#: Bars a digest finds without its session's bar are re-fetched after this long (each tick).
DIGEST_PROVISIONAL_TTL = timedelta(minutes=1)


def digest_prices(prices: PriceService) -> PriceService:
    """A price service for digests: the same source and bar cache, but bars still lacking the
    session's bar are re-fetched each minute (the digest waits for them for a bounded time)."""
    return prices.derived(provisional_ttl=DIGEST_PROVISIONAL_TTL, deadline=None)


async def start_digests(
    settings: Settings,
    storage: Storage,
    prices: PriceService,
    adapters: Sequence[Adapter],
    *,
    extra: Mapping[str, Poster] | None = None,
) -> DigestScheduler | None:
    """Start the digest scheduler for ``run_bot``; None (logged) if it cannot start. ``extra``:
    posters of platforms no adapter serves (the webhook poster waiting for targets)."""
    try:
        posters = {**(extra or {}), **adapter_posters(adapters)}
        runner = DigestRunner(
            storage,
            digest_prices(prices),
            posters,
            default_language=settings.chat.default_language,
            lease=timedelta(seconds=settings.digest.digest_lease_seconds),
        )
        scheduler = DigestScheduler(
            runner,
            storage,
            DigestSchedule(prices.calendar),
            grace=timedelta(hours=settings.digest.digest_grace_hours),
            stop_grace=settings.digest.digest_stop_seconds,
        )
        await scheduler.start()
        log.info("digests on posters=%s", ",".join(sorted(posters)) or "-")
        return scheduler
    except Exception:
        log.exception("digest scheduler could not start; the bot runs without digests")
        return None
