"""Helpers of the Slack tests: price sources with scripted behaviour, settings, signed commands."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from slack_bolt.response import BoltResponse

from bot.adapters.slack import SlackAdapter
from bot.settings import Settings, load_settings
from signals.bars import FetchResult
from signals.errors import RateLimited
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    signed_request,
    slash_body,
)


class GatedSource:
    """A CSV source whose fetch blocks until :attr:`release` is set (ack-before-fetch tests)."""

    name = "csv"

    def __init__(self, directory: Path) -> None:
        self.inner = CsvSource(directory)
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        self.started.set()
        self.release.wait(20)
        try:
            return self.inner.fetch(tickers, start=start, end=end)
        finally:
            self.finished.set()


class RateLimitedSource:
    """Every ticker is rate limited upstream for two minutes."""

    name = "csv"

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        return FetchResult(errors={t: RateLimited(t, "429", retry_after=120) for t in tickers})


class BrokenPrices(PriceService):
    """A price service with a bug: every request crashes."""

    async def bars(self, tickers: Sequence[str], *, session: date) -> FetchResult:
        raise RuntimeError("boom: secret internals")


def slack_settings(fake: FakeSlack, **overrides: Any) -> Settings:
    """HTTP-mode settings with a bot token, the fake as Web API, and no cooldown."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": f"{fake.url}/api",
        "signal_cooldown_seconds": 0,
    }
    values.update(overrides)
    return load_settings(env_file=None, **values)


async def slash(adapter: SlackAdapter, fake: FakeSlack, text: str, **fields: Any) -> BoltResponse:
    """Dispatch a signed ``/signal text`` through the bolt app; returns the ack response."""
    body = slash_body(text, response_url=fake.response_url(), **fields)
    return await adapter.app.async_dispatch(signed_request(body))


async def run_slash(
    adapter: SlackAdapter, fake: FakeSlack, text: str, **fields: Any
) -> list[dict[str, Any]]:
    """``/signal text`` acked and fully answered; the response-URL bodies it produced."""
    before = len(fake.responses)
    ack = await slash(adapter, fake, text, **fields)
    assert ack.status == 200, ack.body
    await adapter.idle()
    return fake.responses[before:]


async def until(check: Any, seconds: float = 10.0) -> None:
    """Poll the async ``check()`` until it is true (bolt runs event listeners after the ack)."""
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if await check():
                return
            await asyncio.sleep(0.02)
