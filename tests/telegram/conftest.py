"""Fixtures: the fake Telegram Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import create_telegram_adapter
from bot.adapters.telegram.app import TelegramAdapter
from bot.dispatch import Dispatcher
from bot.settings import load_settings
from bot.storage import Storage, open_storage
from commands.context import Services
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.market import write_price_dir
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram


@pytest.fixture(autouse=True)
def _no_telegram_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings read TELEGRAM_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API, listening on 127.0.0.1."""
    server = await FakeTelegram().start()
    yield server
    await server.stop()


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """IWM and SPY, ending at the last session."""
    return write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.4})


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Storage]:
    """A migrated SQLite database for the test."""
    async with open_storage(f"sqlite:///{tmp_path}/db.sqlite") as opened:
        yield opened


Running = Callable[..., Awaitable[TelegramAdapter]]


@pytest.fixture
async def running(fake: FakeTelegram, store: Storage, prices: Path) -> AsyncIterator[Running]:
    """Start an adapter (``language=`` the configured default, settings overrides) polling the
    fake; stopped after the test."""
    made: list[tuple[TelegramAdapter, asyncio.Task[None]]] = []

    async def start(
        *, language: str = "en", wait: bool = True, **overrides: Any
    ) -> TelegramAdapter:
        service = PriceService(CsvSource(prices), MarketCalendar(), store=store)
        services = Services(prices=service, settings=store, default_language=language,  # type: ignore[arg-type]
                            alerts=store)  # fmt: skip
        values: dict[str, Any] = {
            "telegram_bot_token": BOT_TOKEN,
            "telegram_api_base_url": fake.base_url,
            "signal_cooldown_seconds": 0,
            **overrides,
        }
        settings = load_settings(env_file=None, **values)
        adapter = create_telegram_adapter(
            settings.telegram,
            settings.chat,
            Dispatcher(services),
            store,
            port=0,
            host=settings.ops.http_host,
        )
        adapter.login_wait = 0.0  # a refused getMe is asked again at once
        task = asyncio.create_task(adapter.run())
        made.append((adapter, task))
        if wait:
            await fake.wait_for(lambda: bool(fake.of("getUpdates") or fake.of("setWebhook")))
        return adapter

    yield start
    for adapter, task in made:
        await adapter.stop()
        await task
