"""Builds the shared services (storage-backed price cache) from settings."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.lazy_calendar import LazyCalendar
from bot.settings import Settings
from bot.state import sqlite_file
from bot.storage import Storage, open_storage
from signals.bars import AsyncPriceSource, PriceSource
from signals.service import PriceService
from signals.sources import sources_from_spec


def price_sources(settings: Settings) -> list[PriceSource | AsyncPriceSource]:
    """The configured chain of price sources, one per link (``signalbot doctor`` checks these
    very objects); ValueError names a link that cannot be built."""
    key = settings.prices.tiingo_api_key
    return sources_from_spec(
        settings.prices.price_source,
        tiingo_key=(lambda: key.get_secret_value()) if key is not None else None,
        tiingo_base_url=settings.prices.tiingo_api_base_url,
        demo_tickers=settings.prices.demo_tickers,
    )


def price_service(settings: Settings, storage: Storage) -> PriceService:
    """A PriceService over the configured source, caching bars in the database."""
    return PriceService(
        price_sources(settings),
        LazyCalendar(),  # built at the first signal or digest tick, not at start-up
        store=storage,
        deadline=settings.prices.price_deadline_seconds,
    )


@asynccontextmanager
async def oneoff_database(settings: Settings) -> AsyncIterator[str]:
    """The async URL a one-off command (``signal``, ``preview``, ``history``, ``digest
    preview``) opens: the configured database when it exists (its cached bars and previous
    regimes are used), else a throwaway SQLite file in a temporary directory, removed after.

    A one-off command never creates ``./data`` (or any file) where it runs; only ``signalbot
    run`` and ``signalbot db upgrade`` create the configured database.
    """
    path = sqlite_file(settings)
    if path is None or path.exists():
        yield settings.storage.async_database_url
        return
    with tempfile.TemporaryDirectory(prefix="signalbot-") as scratch:
        yield f"sqlite+aiosqlite:///{Path(scratch) / 'signalbot.db'}"


@asynccontextmanager
async def open_price_service(settings: Settings) -> AsyncIterator[PriceService]:
    """Storage opened (and migrated) for the duration, with a PriceService on top of it; the
    configured database only when it exists (see :func:`oneoff_database`)."""
    async with oneoff_database(settings) as url, open_storage(url) as storage:
        prices = price_service(settings, storage)
        try:
            yield prices
        finally:
            await prices.aclose()
