"""Fixtures: the fake Slack server, CSV prices, a SQLite store, and adapters wired to them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack import SlackAdapter, create_slack_adapter
from bot.dispatch import Dispatcher
from bot.storage import Storage
from commands.context import Services
from signals.bars import PriceSource
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.bot.slack.support import BrokenPrices, slack_settings
from tests.fakes.market import bars_from_closes, last_session_now, write_csv, write_price_dir
from tests.fakes.slack import FakeSlack


@pytest.fixture(autouse=True)
def _no_slack_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """bolt and the settings read SLACK_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API, listening on 127.0.0.1."""
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """IWM and SPY (defensive impulse, ending at the last session); NEW has 10 closes."""
    directory = write_price_dir(tmp_path / "prices", {"IWM": 1.0, "SPY": 2.4})
    write_csv(
        directory, "NEW", bars_from_closes([100.0 + i for i in range(10)], end=last_session_now())
    )
    return directory


MakeAdapter = Callable[..., Awaitable[SlackAdapter]]


@pytest.fixture
async def make_adapter(fake: FakeSlack, store: Storage, prices: Path) -> AsyncIterator[MakeAdapter]:
    """Build adapters (``source=``, ``language=``, ``broken=``, settings overrides); stopped after."""
    made: list[SlackAdapter] = []

    async def make(
        source: PriceSource | None = None,
        *,
        language: str = "both",
        broken: bool = False,
        dispatcher: Dispatcher | None = None,
        sleep: Any = None,
        watchdog_interval: float | None = None,
        **overrides: Any,
    ) -> SlackAdapter:
        kind = BrokenPrices if broken else PriceService
        service = kind(source or CsvSource(prices), MarketCalendar(), store=store)
        services = Services(prices=service, settings=store, default_language=language, alerts=store)  # type: ignore[arg-type]
        settings = slack_settings(fake, **overrides)
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        if watchdog_interval is not None:
            extra["watchdog_interval"] = watchdog_interval
        dispatch = dispatcher or Dispatcher(services)
        adapter = (
            SlackAdapter(
                settings.slack,
                settings.chat,
                dispatch,
                store,
                port=settings.ops.http_port,
                **extra,
            )
            if extra
            else create_slack_adapter(
                settings.slack, settings.chat, dispatch, store, port=settings.ops.http_port
            )
        )
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        await adapter.stop()


@pytest.fixture
async def adapter(make_adapter: MakeAdapter) -> SlackAdapter:
    """An HTTP-mode adapter over the CSV prices, workspace language defaulting to both."""
    return await make_adapter()
