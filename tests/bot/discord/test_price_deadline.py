"""A hanging price source never leaves a Discord interaction "thinking" past the deadline."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from signals.bars import FetchResult
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.discord import interaction, option

DEADLINE = 0.6


class HangingSource(CsvSource):
    """The CSV files, but every fetch hangs until ``gate`` is set (Yahoo not answering)."""

    def __init__(self, directory: Any) -> None:
        super().__init__(directory)
        self.gate = threading.Event()
        self.finished = threading.Event()
        self.calls = 0  # fetches of the card's window (the track record's long history aside)

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        if (end - start).days < 366:
            self.calls += 1
        self.gate.wait(30)
        try:
            return super().fetch(tickers, start=start, end=end)
        finally:
            self.finished.set()


class QuickDeadline(PriceService):
    """The service as wired, with a short deadline so the test does not wait 10 s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, deadline=DEADLINE, **kwargs)


async def test_hanging_source_gets_slow_reply_then_next_request_is_served(make_bot, prices):
    """Deferred, then the localized "slow" follow-up; the fetch goes on and warms the cache."""
    source = HangingSource(prices)
    bot = await make_bot(source=source, prices_cls=QuickDeadline, defer_after=0.2)
    try:
        calls = await bot.send(interaction("signal", option("ticker", "IWM")), within=10)
    finally:
        source.gate.set()
    [answer] = [c for c in calls if c.path.endswith("/callback")]
    assert answer.json["type"] == 5  # thinking
    follow = [c for c in calls if c.method == "POST" and c.path.startswith("/webhooks/")]
    assert follow, [c.path for c in calls]
    assert (
        "The price source is slow right now; try again in a minute." in follow[-1].json["content"]
    )
    assert follow[-1].at - answer.at < 5  # well within the 15-minute thinking limit
    assert await asyncio.to_thread(source.finished.wait, 20)
    again = await bot.send(interaction("signal", option("ticker", "IWM")), within=10)
    bodies = [c.json.get("data", c.json) for c in again if isinstance(c.json, dict)]
    assert any(body.get("embeds") for body in bodies)  # the card (direct or after a defer)
    assert source.calls == 1
