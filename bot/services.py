"""Builds the shared services (storage-backed price cache) from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.lazy_calendar import LazyCalendar
from bot.settings import Settings
from bot.storage import Storage, open_storage
from signals.bars import AsyncPriceSource, PriceSource
from signals.service import PriceService
from signals.sources import sources_from_spec


def price_sources(settings: Settings) -> list[PriceSource | AsyncPriceSource]:
    """The configured chain of price sources, one per link (``signalbot doctor`` checks these
    very objects); ValueError names a link that cannot be built."""
    key = settings.tiingo_api_key
    return sources_from_spec(
        settings.price_source,
        tiingo_key=(lambda: key.get_secret_value()) if key is not None else None,
        tiingo_base_url=settings.tiingo_api_base_url,
    )


def price_service(settings: Settings, storage: Storage) -> PriceService:
    """A PriceService over the configured source, caching bars in the database."""
    return PriceService(
        price_sources(settings),
        LazyCalendar(),  # built at the first signal or digest tick, not at start-up
        store=storage,
        deadline=settings.price_deadline_seconds,
    )


@asynccontextmanager
async def open_price_service(settings: Settings) -> AsyncIterator[PriceService]:
    """Storage opened (and migrated) for the duration, with a PriceService on top of it."""
    async with open_storage(settings.async_database_url) as storage:
        prices = price_service(settings, storage)
        try:
            yield prices
        finally:
            await prices.aclose()
