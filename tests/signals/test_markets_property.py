"""Property: a ticker's ``as_of`` is the last session of its own exchange that has closed and
has a bar, for random tickers across exchanges and random instants (real calendars)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.signal import build_cards, resolve_sessions
from formatting.card import Card
from signals.calendar import MarketCalendar, calendar_for
from signals.exchanges import exchange_for
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.signals.markets import market_bars, write_market_csv

TICKERS = ("2800.HK", "510300.SS", "159915.SZ", "0050.TW", "1306.T", "CSPX.L", "XIU.TO", "SPY")
#: Sessions dropped from the end of each file (a source that lags by that many sessions).
LAGS = (0, 1, 3)
END = date(2026, 12, 31)
FIRST = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def price_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """One folder per lag, each with every ticker's bars on its exchange's sessions."""
    out: dict[int, Path] = {}
    for lag in LAGS:
        directory = tmp_path_factory.mktemp(f"lag{lag}")
        for seed, ticker in enumerate(TICKERS):
            bars = market_bars(ticker, end=END, sessions=260, seed=seed)
            write_market_csv(directory, ticker, bars.iloc[: len(bars) - lag])
        out[lag] = directory
    return out


def expected_as_of(ticker: str, now: datetime, lag: int) -> date:
    """By the calendar alone: the last session closed at ``now`` among those with a bar."""
    calendar = calendar_for(exchange_for(ticker))
    days = calendar.sessions_in_range(date(2025, 1, 1), END)
    with_bars = days[: len(days) - lag] if lag else days
    return [d for d in with_bars if calendar.session_close(d) <= now][-1]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ticker=st.sampled_from(TICKERS),
    minutes=st.integers(0, int((datetime(2026, 12, 31, tzinfo=UTC) - FIRST).total_seconds() // 60)),
    lag=st.sampled_from(LAGS),
)
def test_as_of_is_the_last_closed_session_with_a_bar(
    price_dirs: dict[int, Path], ticker: str, minutes: int, lag: int
) -> None:
    """Whatever the ticker's exchange and the instant, ``as_of`` is its own last closed
    session that has a bar; the card is stale exactly when the source lags that session."""
    now = FIRST + timedelta(minutes=minutes)

    async def card() -> Card:
        prices = PriceService(CsvSource(price_dirs[lag]), MarketCalendar())
        sessions = await resolve_sessions(prices, [ticker], now, None)
        found = (await build_cards(prices, [ticker], session=sessions))[ticker]
        assert isinstance(found, Card), found
        return found

    result = asyncio.run(card())
    want = expected_as_of(ticker, now, lag)
    assert result.signal.as_of == want
    latest = calendar_for(exchange_for(ticker)).last_completed_session(now)
    assert result.expected_session == latest
    assert result.stale == (want < latest)
