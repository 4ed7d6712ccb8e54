"""Tiingo's real HTTP code (aiohttp) against local fakes that fail in every way a network can:
each failure names the source and its class of cause, is logged at WARNING without the key,
and an answer over the body cap is refused without being read or cached.

Unreachable hosts use the reserved ``.invalid`` top-level domain, which never resolves
(RFC 6761 section 6.4), so no test touches the internet; a refused port is one the test bound
and closed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date

import pytest
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
from signals.sources.http import MAX_BODY_BYTES, redacted
from signals.sources.tiingo import TiingoSource
from tests.fakes.huge import HUGE_LENGTH, Pour
from tests.fakes.market import WORKED_SESSION
from tests.fakes.tiingo import KEY, FakeTiingo, running
from tests.support import refused_port

START = date(2026, 1, 1)


async def fetch_one(base_url: str, *, limit: float = 5.0) -> SignalError:
    source = TiingoSource(lambda: KEY, base_url=base_url, timeout=limit)
    try:
        result = await source.fetch_async(["IWM"], start=START, end=WORKED_SESSION)
    finally:
        await source.aclose()
    assert not result.bars
    return result.errors["IWM"]


def english(error: SignalError) -> str:
    message = error_message(error)
    return message_text(message.key, dict(message.params), "en")


def assert_logged(caplog: pytest.LogCaptureFixture, cause: str) -> None:
    """The cause is logged at WARNING, with the exception's detail, never the API key."""
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("tiingo" in line and cause in line for line in lines), lines
    assert all(KEY not in r.getMessage() for r in caplog.records)


@asynccontextmanager
async def serving(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/tiingo/daily/{ticker}/prices", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_unresolvable_host_is_no_network(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    error = await fetch_one("http://api.tiingo.invalid")
    assert isinstance(error, SourceUnavailable) and error.cause == NETWORK
    assert error.key == "error.source_network"
    text = english(error)
    assert "Tiingo cannot be reached" in text and "no network" in text
    assert_logged(caplog, "network")


async def test_refused_port(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with refused_port() as port:
        error = await fetch_one(f"http://127.0.0.1:{port}")
    assert isinstance(error, SourceUnavailable) and error.cause == REFUSED
    assert "Tiingo refused the connection" in english(error)
    assert_logged(caplog, "refused")


async def test_hanging_server_times_out(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with running(FakeTiingo(hanging={"iwm"})) as fake:
        error = await fetch_one(fake.base_url, limit=0.5)
    assert isinstance(error, SourceUnavailable) and error.cause == TIMEOUT
    assert "Tiingo did not answer in time" in english(error)
    assert_logged(caplog, "timeout")


async def test_rate_limit_names_the_source(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with running(FakeTiingo(limited={"iwm"})) as fake:
        error = await fetch_one(fake.base_url)
    assert isinstance(error, RateLimited) and error.key == "error.source_rate_limited"
    assert english(error).startswith("Tiingo is limiting requests")
    assert_logged(caplog, "rate limited")


async def test_garbage_is_a_bad_answer(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with running(FakeTiingo(broken={"iwm"})) as fake:
        error = await fetch_one(fake.base_url)
    assert isinstance(error, SourceUnavailable) and error.cause == BAD_ANSWER
    assert "Tiingo sent an answer that is not price data" in english(error)
    assert_logged(caplog, "bad_answer")


@pytest.mark.parametrize("kind", ["huge_length", "endless"])
async def test_too_much_data_is_refused_and_not_cached(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A 10 GiB Content-Length is refused unread; an endless chunked body is cut at the cap.
    Either way the error says so and nothing is cached: the next request asks again."""
    caplog.set_level(logging.WARNING)
    pour = Pour()
    async with serving(getattr(pour, kind)) as url:
        source = TiingoSource(lambda: KEY, base_url=url, timeout=30)
        prices = PriceService(source, MarketCalendar(), deadline=None)
        try:
            first = await prices.bars(["IWM"], session=WORKED_SESSION)
            again = await prices.bars(["IWM"], session=WORKED_SESSION)
        finally:
            await prices.aclose()
    for result in (first, again):
        error = result.errors["IWM"]
        assert isinstance(error, SourceUnavailable) and error.cause == TOO_LARGE
        assert english(error).startswith("Tiingo answered too much data for IWM")
    assert pour.answers >= 2  # asked again: the failure was not cached
    # what the fake managed to send before the client hung up: about the cap, not 400 MB
    assert pour.sent < pour.answers * (MAX_BODY_BYTES + 8 * 1024 * 1024)
    assert_logged(caplog, "too_large")
    if kind == "huge_length":  # refused on its header, before the body was read
        assert any(f"({HUGE_LENGTH} bytes;" in r.getMessage() for r in caplog.records)


def test_credentials_are_redacted_from_logged_text() -> None:
    assert redacted("GET https://api.tiingo.com/x?startDate=1&token=abc123&b=2") == (
        "GET https://api.tiingo.com/x?startDate=1&token=***&b=2"
    )
    assert redacted("Authorization: Token abc.def-123") == "Authorization: Token ***"
    assert redacted("postgresql://bot:hunter22@db/x") == "postgresql://bot:***@db/x"
