"""The cache in front of any source: one upstream fetch per ticker per session, shared by all."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from signals.bars import FetchResult
from signals.calendar import MarketCalendar
from signals.errors import NoData, SourceUnavailable
from signals.momentum import Signal
from signals.service import PriceService
from tests.fakes.market import bars_from_closes, worked_example_bars

# 2026-06-08 is a Monday; the close is 20:00 UTC (16:00 New York, summer time).
EVENING = datetime(2026, 6, 8, 23, 0, tzinfo=UTC)
MIDDAY_NEXT = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


class CountingSource:
    """A source serving fixed bars, counting calls; optionally slow to expose races."""

    name = "counting"

    def __init__(self, bars: dict[str, pd.DataFrame], delay: float = 0.0) -> None:
        self.data = bars
        self.delay = delay
        self.calls: list[list[str]] = []
        self.lock = threading.Lock()

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        with self.lock:
            self.calls.append(list(tickers))
        if self.delay:
            threading.Event().wait(self.delay)
        bars = {}
        errors = {}
        for t in tickers:
            frame = self.data.get(t)
            if frame is None:
                errors[t] = NoData(t, "unknown", unknown=True)
            else:
                bars[t] = frame.loc[(frame.index >= pd.Timestamp(start))]
        return FetchResult(bars=bars, errors=errors)


def service(source, **kwargs) -> PriceService:
    return PriceService(source, MarketCalendar(), **kwargs)


async def test_second_request_same_evening_costs_nothing():
    """A second /signal IWM the same evening is served from the cache."""
    src = CountingSource({"IWM": worked_example_bars()})
    svc = service(src)
    session = svc.session_for(EVENING)
    assert session == date(2026, 6, 8)
    first = await svc.signals(["IWM"], session=session)
    second = await svc.signals(["IWM"], session=session)
    assert isinstance(first["IWM"], Signal) and first == second
    assert src.calls == [["IWM"]]


async def test_concurrent_requests_share_one_fetch():
    """Twenty concurrent requests for overlapping tickers make one upstream call per ticker."""
    bars = worked_example_bars()
    src = CountingSource({"IWM": bars, "SPY": bars * 2}, delay=0.2)
    svc = service(src)
    session = svc.session_for(EVENING)
    results = await asyncio.gather(
        *(svc.signals(["IWM", "SPY"] if i % 2 else ["IWM"], session=session) for i in range(20))
    )
    assert all(isinstance(r["IWM"], Signal) for r in results)
    fetched = [t for call in src.calls for t in call]
    assert sorted(fetched) == ["IWM", "SPY"]


async def test_live_partial_bar_is_not_used():
    """During the next session a bar for today exists upstream, but the signal is for yesterday."""
    bars = worked_example_bars()
    live = bars_from_closes([*bars["Close"], 250.0], end=date(2026, 6, 9))
    src = CountingSource({"IWM": live})
    svc = service(src)
    session = svc.session_for(MIDDAY_NEXT)
    assert session == date(2026, 6, 8)
    result = (await svc.signals(["IWM"], session=session))["IWM"]
    assert isinstance(result, Signal)
    assert result.as_of == date(2026, 6, 8) and result.close == pytest.approx(281.65)


async def test_lagging_source_is_refetched_after_short_ttl():
    """Bars missing the expected session are kept briefly, then fetched again."""
    clock = [0.0]
    older = worked_example_bars().iloc[:-1]  # source has not published 2026-06-08 yet
    src = CountingSource({"IWM": older})
    svc = service(src, monotonic=lambda: clock[0], provisional_ttl=timedelta(minutes=15))
    session = svc.session_for(EVENING)
    stale = (await svc.signals(["IWM"], session=session))["IWM"]
    assert isinstance(stale, Signal) and stale.as_of == date(2026, 6, 5)
    await svc.signals(["IWM"], session=session)
    assert len(src.calls) == 1
    clock[0] += 16 * 60
    src.data["IWM"] = worked_example_bars()
    fresh = (await svc.signals(["IWM"], session=session))["IWM"]
    assert isinstance(fresh, Signal) and fresh.as_of == date(2026, 6, 8)
    assert len(src.calls) == 2


async def test_unknown_ticker_is_remembered_briefly():
    """An unknown ticker is not re-fetched on every request within the negative TTL."""
    clock = [0.0]
    src = CountingSource({})
    svc = service(src, monotonic=lambda: clock[0], negative_ttl=timedelta(minutes=30))
    session = svc.session_for(EVENING)
    for _ in range(3):
        assert isinstance((await svc.signals(["ZZZZ"], session=session))["ZZZZ"], NoData)
    assert len(src.calls) == 1
    clock[0] += 31 * 60
    await svc.signals(["ZZZZ"], session=session)
    assert len(src.calls) == 2


async def test_broken_source_is_contained_and_not_cached():
    """A source that raises yields SourceUnavailable, and the next request tries again."""

    class Broken(CountingSource):
        def fetch(self, tickers, *, start, end):
            super().fetch(tickers, start=start, end=end)
            raise RuntimeError("boom")

    src = Broken({})
    svc = service(src)
    session = svc.session_for(EVENING)
    assert isinstance((await svc.signals(["IWM"], session=session))["IWM"], SourceUnavailable)
    await svc.signals(["IWM"], session=session)
    assert len(src.calls) == 2


def test_as_of_validation():
    """--as-of may not be in the future; a holiday resolves to the session before it."""
    svc = service(CountingSource({}))
    with pytest.raises(ValueError, match="not closed"):
        svc.session_for(EVENING, date(2026, 6, 9))
    assert svc.session_for(EVENING, date(2026, 5, 25)) == date(2026, 5, 22)  # Memorial Day


def test_as_of_weekend_holiday_and_range():
    """A weekend maps back before the future check; far past and future dates get their own errors."""
    from signals.service import SessionNotClosed, SessionOutOfRange

    saturday_noon = datetime(2026, 6, 13, 16, 0, tzinfo=UTC)
    svc = service(CountingSource({}))
    assert svc.session_for(saturday_noon, date(2026, 6, 13)) == date(2026, 6, 12)
    monday_morning = datetime(2026, 6, 15, 13, 0, tzinfo=UTC)
    assert svc.session_for(monday_morning, date(2026, 6, 14)) == date(2026, 6, 12)
    with pytest.raises(SessionNotClosed):
        svc.session_for(monday_morning, date(2026, 12, 25))  # holiday whose eve is in the future
    with pytest.raises(SessionOutOfRange):
        svc.session_for(monday_morning, date(1990, 6, 1))  # before the calendar (1995)
    with pytest.raises(SessionNotClosed):
        svc.session_for(monday_morning, date(2030, 1, 2))  # beyond the calendar


class YieldingStore:
    """A store whose lookups yield to the loop, like the real database one."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str, date], pd.DataFrame] = {}

    async def load_bars(self, source, ticker, session):
        await asyncio.sleep(0)
        return self.data.get((source, ticker, session))

    async def save_bars(self, source, ticker, session, bars):
        await asyncio.sleep(0)
        self.data[(source, ticker, session)] = bars


async def test_no_duplicate_fetch_when_the_store_yields():
    """Overlapping requests never fetch the same ticker twice, even with a yielding store."""
    bars = worked_example_bars()
    src = CountingSource({"IWM": bars, "SPY": bars * 2}, delay=0.1)
    svc = service(src, store=YieldingStore())
    session = svc.session_for(EVENING)
    await asyncio.gather(
        svc.bars(["IWM", "SPY"], session=session), svc.bars(["IWM"], session=session)
    )
    fetched = [t for call in src.calls for t in call]
    assert sorted(fetched) == ["IWM", "SPY"]


async def test_cancelling_one_requester_does_not_fail_the_others():
    """The first requester is cancelled mid-fetch; the one waiting on the same fetch gets data."""
    src = CountingSource({"IWM": worked_example_bars()}, delay=0.3)
    svc = service(src)
    session = svc.session_for(EVENING)
    first = asyncio.create_task(svc.bars(["IWM"], session=session))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(svc.bars(["IWM"], session=session))
    await asyncio.sleep(0.05)
    first.cancel()
    result = await second
    assert "IWM" in result.bars
    assert first.cancelled()
    assert len(src.calls) == 1


async def test_failed_cache_write_still_serves_the_bars():
    """A store that cannot save does not fail the request."""

    class Failing(YieldingStore):
        async def save_bars(self, source, ticker, session, bars):
            raise OSError("database is locked")

    svc = service(CountingSource({"IWM": worked_example_bars()}), store=Failing())
    result = await svc.bars(["IWM"], session=svc.session_for(EVENING))
    assert "IWM" in result.bars


async def test_old_sessions_are_forgotten():
    """Short-lived entries of earlier sessions are dropped once a newer session is asked for."""
    svc = service(CountingSource({}))
    await svc.bars(["ZZZZ"], session=date(2026, 6, 5))
    assert svc._negative
    await svc.bars(["QQQQ"], session=date(2026, 6, 8))
    assert all(key[1] == date(2026, 6, 8) for key in svc._negative)


async def test_history_serves_n_sessions_cached_by_source():
    """history(sessions=N): N bars ending at the last bar, one upstream fetch, its own cache."""
    from tests.fakes.market import bars_from_closes

    long = bars_from_closes([100.0 + i * 0.01 for i in range(1200)], end=date(2026, 6, 8))
    src = CountingSource({"IWM": long})
    svc = service(src)
    got = await svc.history(["IWM"], session=date(2026, 6, 8), sessions=1000)
    frame = got.bars["IWM"]
    assert len(frame) == 1000 and frame.index[-1] == long.index[-1]
    assert got.sources == {"IWM": "counting"}
    again = await svc.history(["IWM"], session=date(2026, 6, 8), sessions=1000)
    assert again.bars["IWM"].equals(frame) and len(src.calls) == 1
    card_bars = await svc.bars(["IWM"], session=date(2026, 6, 8))  # the card's shorter window
    assert len(card_bars.bars["IWM"]) < 1000
