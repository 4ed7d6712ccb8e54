"""No requester waits past the deadline; upstream calls are bounded in number and in time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import date

import pandas as pd

from signals.bars import FetchResult
from signals.calendar import MarketCalendar
from signals.errors import SourceSlow, SourceUnavailable
from signals.service import PriceService
from signals.upstream import Upstream
from tests.fakes.market import WORKED_SESSION, worked_example_bars


class GatedSource:
    """Blocks every fetch until ``gate`` is set (a hanging Yahoo), counting calls in flight."""

    name = "gated"
    source_id = "gated"

    def __init__(self, bars: dict[str, pd.DataFrame]) -> None:
        self.data = bars
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.calls = 0
        self.running = 0
        self.most = 0

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            self.gate.wait(30)
            return FetchResult(bars={t: self.data[t] for t in tickers if t in self.data})
        finally:
            with self.lock:
                self.running -= 1


async def _until(predicate) -> None:
    """Poll ``predicate`` (a thread's state, which no asyncio.Event can signal) for up to 20 s."""
    async with asyncio.timeout(20):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_slow_source_answers_slow_then_the_cache_is_warm() -> None:
    """Past the deadline the user hears "slow"; the fetch goes on and serves the next request."""
    src = GatedSource({"IWM": worked_example_bars()})
    prices = PriceService(src, MarketCalendar(), deadline=0.2)
    try:
        first = await prices.signals(["IWM"], session=WORKED_SESSION)
        assert isinstance(first["IWM"], SourceSlow)
        second = await prices.signals(["IWM"], session=WORKED_SESSION)  # still in flight
        assert isinstance(second["IWM"], SourceSlow)
        assert src.calls == 1  # single flight: the second request joined the first fetch
    finally:
        src.gate.set()
    await _until(lambda: not prices._inflight)
    third = await prices.signals(["IWM"], session=WORKED_SESSION)
    assert third["IWM"].regime.value == "defensive_impulse"  # type: ignore[union-attr]
    assert src.calls == 1


async def test_no_deadline_waits_for_the_source() -> None:
    """deadline=None (the digest) waits for the answer however long it takes."""
    src = GatedSource({"IWM": worked_example_bars()})
    prices = PriceService(src, MarketCalendar(), deadline=None)
    task = asyncio.create_task(prices.bars(["IWM"], session=WORKED_SESSION))
    await _until(lambda: src.calls == 1)
    assert not task.done()
    src.gate.set()
    assert "IWM" in (await task).bars


async def test_concurrent_upstream_calls_are_bounded() -> None:
    """Five calls at once on a source limited to two: never more than two threads upstream."""
    src = GatedSource({})
    upstream = Upstream(src, concurrency=2, timeout=30)
    calls = [
        asyncio.create_task(upstream.fetch([f"T{i}"], start=WORKED_SESSION, end=WORKED_SESSION))
        for i in range(5)
    ]
    await _until(lambda: src.running == 2)
    await asyncio.sleep(0.1)  # give a third call every chance to start (it must not)
    assert src.most == 2
    src.gate.set()
    await asyncio.gather(*calls)
    assert src.calls == 5 and src.most == 2


async def test_a_hanging_call_times_out_but_keeps_its_slot() -> None:
    """A call past its timeout is SourceUnavailable; its thread holds the slot until it ends."""
    src = GatedSource({})
    upstream = Upstream(src, concurrency=1, timeout=0.2)
    result = await upstream.fetch(["IWM"], start=WORKED_SESSION, end=WORKED_SESSION)
    assert isinstance(result.errors["IWM"], SourceUnavailable)
    assert "timed out" in result.errors["IWM"].detail
    assert src.running == 1  # still hanging upstream: no second thread may start
    waiting = asyncio.create_task(upstream.fetch(["SPY"], start=WORKED_SESSION, end=WORKED_SESSION))
    await asyncio.sleep(0.1)
    assert src.calls == 1
    src.gate.set()
    await waiting
    assert src.calls == 2
