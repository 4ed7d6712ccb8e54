"""Fixtures: the fake Discord API, CSV prices, a SQLite store, and logged-in adapters."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord import DiscordAdapter, create_discord_adapter
from bot.dispatch import Dispatcher
from bot.settings import load_settings
from bot.storage import Storage
from commands.context import Services
from signals.bars import FetchResult, PriceSource
from signals.calendar import MarketCalendar
from signals.errors import RateLimited
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.discord import FakeDiscord, Recorded
from tests.fakes.market import bars_from_closes, last_session_now, write_csv, write_price_dir


@pytest.fixture(autouse=True)
def _no_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read DISCORD_* / SIGNALBOT_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("DISCORD_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _restore_rest_base() -> Iterator[None]:
    """The adapter points discord.py's process-wide REST base at the fake; put it back after."""
    saved, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved, gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord REST API on 127.0.0.1."""
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """IWM and SPY (defensive impulse, ending at the last session); NEW has only 10 closes."""
    directory = write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.4})
    closes = [100.0 + i for i in range(10)]
    write_csv(directory, "NEW", bars_from_closes(closes, end=last_session_now()))
    return directory


class SlowSource(CsvSource):
    """A CSV source whose fetch takes ``delay`` seconds (a slow upstream)."""

    def __init__(self, directory: Path, delay: float) -> None:
        super().__init__(directory)
        self.delay = delay

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Sleep, then read the files."""
        time.sleep(self.delay)
        return super().fetch(tickers, start=start, end=end)


class RateLimitedSource:
    """A source that is rate-limited for every ticker, for two more minutes."""

    name = "csv"

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Every ticker fails with RateLimited(retry_after=120)."""
        return FetchResult(errors={t: RateLimited(t, "429", retry_after=120.0) for t in tickers})


class CrashingPrices(PriceService):
    """A price service with a bug: every request raises."""

    async def bars(self, tickers: Sequence[str], *, session: date) -> FetchResult:
        """Raise, as a programming error would."""
        raise RuntimeError("boom: a bug in the price service")


@dataclass
class Bot:
    """A logged-in adapter with the fake it talks to."""

    adapter: DiscordAdapter
    fake: FakeDiscord
    store: Storage

    async def send(self, payload: dict[str, Any], *, within: float = 15.0) -> list[Recorded]:
        """Dispatch an INTERACTION_CREATE like the gateway; wait until it is handled.

        Returns the requests made for this interaction (callback, follow-ups), in order.
        """
        before = asyncio.all_tasks()
        self.adapter.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        invokers = [
            t for t in asyncio.all_tasks() - before if t.get_name() == "CommandTree-invoker"
        ]
        assert invokers, "the command tree did not pick up the interaction"
        await asyncio.wait_for(asyncio.gather(*invokers), within)
        return self.calls_for(payload)

    def calls_for(self, payload: dict[str, Any]) -> list[Recorded]:
        """Requests whose path carries the interaction's token."""
        return [r for r in self.fake.requests if payload["token"] in r.path]


MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(fake: FakeDiscord, prices: Path, store: Storage) -> AsyncIterator[MakeBot]:
    """Build, log in and (at the end) stop adapters against the fake.

    Keywords: ``source`` (a PriceSource, default CSV), ``prices_cls`` (PriceService subclass),
    ``cooldown``, ``language`` (default language), ``defer_after`` (10 s, so a cold first chart
    never defers by accident), ``guild_ids``, ``shard_count``, ``shard_ids``, ``login``.
    """
    made: list[DiscordAdapter] = []

    async def make(
        *,
        source: PriceSource | None = None,
        prices_cls: type[PriceService] = PriceService,
        cooldown: float = 0.0,
        language: str = "en",
        defer_after: float = 10.0,
        guild_ids: str | None = None,
        shard_count: int | None = None,
        shard_ids: str | None = None,
        login: bool = True,
    ) -> Bot:
        overrides: dict[str, Any] = {}
        if guild_ids:
            overrides["discord_guild_ids"] = guild_ids
        if shard_count:
            overrides["discord_shard_count"] = shard_count
        if shard_ids:
            overrides["discord_shard_ids"] = shard_ids
        settings = load_settings(
            env_file=None,
            discord_token="test-token",
            discord_api_base_url=fake.base_url,
            signal_cooldown_seconds=cooldown,
            default_language=language,
            **overrides,
        )
        service = prices_cls(source or CsvSource(prices), MarketCalendar(), store=store)
        services = Services(
            prices=service,
            settings=store,
            default_language=settings.chat.default_language,
            alerts=store,
        )
        adapter = create_discord_adapter(
            settings.discord, settings.chat, Dispatcher(services), store, defer_after=defer_after
        )
        made.append(adapter)
        if login:
            await adapter.login()
        return Bot(adapter, fake, store)

    yield make
    for adapter in made:
        await adapter.stop()


def dispatched(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Commands the dispatcher ran (its one log line per command)."""
    return [r.getMessage() for r in caplog.records if r.name == "bot.dispatch"]
