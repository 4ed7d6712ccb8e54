"""Webhook fixtures: storage on each backend, the fake receivers, a virtual clock, targets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from pydantic import SecretStr

from bot.storage import Storage, open_storage
from bot.storage.webhooks import NewWebhook, WebhookTarget
from tests.bot.conftest import db_url, pg_url  # noqa: F401  (fixtures, re-exported)
from tests.fakes.webhooks import FakeWebhooks


class VirtualClock:
    """A monotonic clock that only moves when the poster sleeps on it (one target at a time),
    or, ``frozen``, never (sleeps are recorded and return at once)."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 1_000.0
        self.frozen = frozen
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if not self.frozen:
            self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:  # noqa: F811
    async with open_storage(db_url) as opened:
        yield opened


@pytest.fixture
async def fake() -> AsyncIterator[FakeWebhooks]:
    receivers = await FakeWebhooks().start()
    try:
        yield receivers
    finally:
        await receivers.stop()


async def add_target(
    storage: Storage,
    kind: str,
    url: str,
    *,
    secret: str | None = None,
    language: str = "en",
    watchlist: Sequence[str] = ("SPY", "QQQ"),
    alerts: Sequence[str] = (),
    time: str | None = None,
) -> WebhookTarget:
    """Store a webhook target as ``webhook add`` does."""
    return await storage.add_webhook(
        NewWebhook(
            kind=kind,
            url=SecretStr(url),
            secret=SecretStr(secret) if secret else None,
            language=language,
            shown="both" if language == "auto" else language,
            colors=None,
            watchlist=watchlist,
            market=None,
            time=time,
            timezone="America/New_York",
            alert_tickers=alerts,
        )
    )
