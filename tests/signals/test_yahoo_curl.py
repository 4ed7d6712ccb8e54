"""Yahoo through the session the bot really hands yfinance (curl_cffi, capped reads) against
local fakes: every failure names Yahoo Finance and its class of cause, is logged at WARNING,
and an answer over the body cap is refused, not read, not cached.

The session is :class:`signals.sources.yahoo_http.YahooSession` itself, with one change made by
the test: its URLs for ``*.yahoo.com`` are sent to the fake (tests/fakes/yahoo_curl.py). ``.invalid`` never resolves (RFC 6761 section 6.4): no test touches the
internet.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yfinance as yf
from aiohttp import web

from commands.lookup import error_message
from formatting.messages import message_text
from signals.calendar import MarketCalendar
from signals.errors import (
    BAD_ANSWER,
    NETWORK,
    REFUSED,
    TIMEOUT,
    TOO_LARGE,
    RateLimited,
    SignalError,
    SourceUnavailable,
)
from signals.service import PriceService
from signals.sources.http import MAX_BODY_BYTES
from signals.sources.yahoo import YFinanceSource
from tests.fakes.huge import HUGE_LENGTH, Pour
from tests.fakes.market import WORKED_SESSION, worked_example_bars
from tests.fakes.yahoo import FakeYahoo, running
from tests.fakes.yahoo_curl import LocalCurlYahoo
from tests.support import refused_port

START = date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _private_yfinance_cache(tmp_path: Path) -> None:
    """yfinance's timezone/cookie caches in a temporary directory, never the user's."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))


class HugeYahoo(FakeYahoo):
    """A fake Yahoo whose chart answers for some symbols are too large."""

    def __init__(self, pour: Pour, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pour = pour
        self.kind = kind

    async def chart(self, request: web.Request) -> web.StreamResponse:
        self.charts.append(request.match_info["symbol"])
        handler = getattr(self.pour, self.kind)
        return await handler(request)  # type: ignore[no-any-return]


def source(base_url: str, *, timeout: float = 5.0) -> YFinanceSource:
    """The bot's Yahoo source as built in production, only its session pointed elsewhere."""
    return YFinanceSource(
        session=LocalCurlYahoo(base_url), retries=1, timeout=timeout, sleep=lambda _: None
    )


async def fetch_one(yahoo: YFinanceSource, symbol: str) -> SignalError:
    """The error for ``symbol`` (one symbol per test: yfinance keeps answers for past ranges in
    an in-process cache, ``YfData.cache_get``, keyed by the Yahoo URL)."""
    result = await asyncio.to_thread(yahoo.fetch, [symbol], start=START, end=WORKED_SESSION)
    assert not result.bars
    return result.errors[symbol]


def english(error: SignalError) -> str:
    message = error_message(error)
    return message_text(message.key, dict(message.params), "en")


def assert_logged(caplog: pytest.LogCaptureFixture, cause: str) -> None:
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(line.startswith("yfinance ") and cause in line for line in lines), lines


async def test_normal_answer_through_the_capped_session() -> None:
    """The capped curl session changes nothing for a normal answer."""
    async with running(FakeYahoo(bars={"OK": worked_example_bars()})) as fake:
        yahoo = source(fake.base_url)
        result = await asyncio.to_thread(yahoo.fetch, ["OK"], start=START, end=WORKED_SESSION)
    assert result.bars["OK"]["Close"].iloc[-1] == pytest.approx(281.65)
    assert "OK" in fake.charts


async def test_unresolvable_host_is_no_network(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    error = await fetch_one(source("http://finance.yahoo.invalid"), "DNS")
    assert isinstance(error, SourceUnavailable) and error.cause == NETWORK
    text = english(error)
    assert "Yahoo Finance cannot be reached" in text and "no network" in text
    assert_logged(caplog, "network")


async def test_refused_port(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with refused_port() as port:
        error = await fetch_one(source(f"http://127.0.0.1:{port}"), "REF")
    assert isinstance(error, SourceUnavailable) and error.cause == REFUSED
    assert "Yahoo Finance refused the connection" in english(error)
    assert_logged(caplog, "refused")


async def test_hanging_server_times_out(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with running(FakeYahoo(hanging={"HANG"})) as fake:
        error = await fetch_one(source(fake.base_url, timeout=1.0), "HANG")
    assert isinstance(error, SourceUnavailable) and error.cause == TIMEOUT
    assert "Yahoo Finance did not answer in time" in english(error)
    assert_logged(caplog, "timeout")


async def test_rate_limit_names_the_source() -> None:
    async with running(FakeYahoo(limited={"LIM"})) as fake:
        error = await fetch_one(source(fake.base_url), "LIM")
    assert isinstance(error, RateLimited) and error.key == "error.source_rate_limited"
    assert english(error).startswith("Yahoo Finance is limiting requests")


async def test_garbage_is_a_bad_answer() -> None:
    async with running(FakeYahoo(garbled={"GAR"})) as fake:
        error = await fetch_one(source(fake.base_url), "GAR")
    assert isinstance(error, SourceUnavailable) and error.cause == BAD_ANSWER
    assert "Yahoo Finance sent an answer that is not price data" in english(error)


@pytest.mark.parametrize("kind", ["huge_length", "endless"])
async def test_too_much_data_is_refused_and_not_cached(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A 10 GiB Content-Length is refused unread; an endless chunked chart is cut at the cap;
    the error says so, and nothing is cached: the next request asks Yahoo again."""
    caplog.set_level(logging.WARNING)
    symbol = kind.upper().replace("_", "")[:10]
    pour = Pour()
    async with running(HugeYahoo(pour, kind)) as fake:
        prices = PriceService(source(fake.base_url, timeout=30), MarketCalendar(), deadline=None)
        first = await prices.bars([symbol], session=WORKED_SESSION)
        asked = len(fake.charts)
        again = await prices.bars([symbol], session=WORKED_SESSION)
    for result in (first, again):
        error = result.errors[symbol]
        assert isinstance(error, SourceUnavailable) and error.cause == TOO_LARGE
        assert english(error).startswith(f"Yahoo Finance answered too much data for {symbol}")
    assert len(fake.charts) > asked > 0  # asked again: the failure was not cached
    assert pour.sent < pour.answers * (MAX_BODY_BYTES + 8 * 1024 * 1024)
    assert_logged(caplog, "too_large")
    if kind == "huge_length":
        assert any(f"({HUGE_LENGTH} bytes;" in r.getMessage() for r in caplog.records)
