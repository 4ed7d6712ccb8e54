"""The real ``yf.download`` HTTP stack against a local fake of Yahoo (no ``yf`` function replaced).

yfinance is pointed at 127.0.0.1 through its own ``session=`` argument: its cookie and crumb URLs
are literals in ``yfinance/data.py`` (not the ``const._BASE_URL_`` family), so only a session
that rewrites the URLs reaches a local server (see tests/fakes/yahoo.py).
"""

from __future__ import annotations

import asyncio
import functools
from datetime import date
from pathlib import Path

import pytest
import yfinance as yf

from signals.calendar import MarketCalendar
from signals.errors import NoData, RateLimited, SourceUnavailable
from signals.momentum import Signal
from signals.service import PriceService
from signals.sources.yahoo import YFinanceSource, yahoo_metadata
from tests.fakes.market import WORKED_SESSION, worked_example_bars
from tests.fakes.yahoo import FakeYahoo, LocalYahoo, running

START = date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _private_yfinance_cache(tmp_path: Path) -> None:
    """yfinance's timezone/cookie caches in a temporary directory, never the user's."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))


def source(fake: FakeYahoo, *, timeout: float = 5.0) -> YFinanceSource:
    session = LocalYahoo(fake.base_url)
    return YFinanceSource(
        download=functools.partial(yf.download, session=session),
        metadata=functools.partial(yahoo_metadata, session=session),
        retries=1,
        timeout=timeout,
        sleep=lambda _: None,
    )


async def test_normal_answer_gives_exact_bars() -> None:
    """Close and Adj Close come through yfinance's parser unchanged, on the right dates."""
    bars = worked_example_bars()
    async with running(FakeYahoo(bars={"IWM": bars})) as fake:
        result = await asyncio.to_thread(
            source(fake).fetch, ["IWM"], start=START, end=WORKED_SESSION
        )
    got = result.bars["IWM"]
    assert got.index[-1].date() == WORKED_SESSION
    assert got["Close"].iloc[-1] == pytest.approx(281.65)
    expected = bars.loc[got.index]
    assert got["Adj Close"].tolist() == pytest.approx(expected["Adj Close"].tolist(), rel=1e-9)
    assert "IWM" in fake.charts


async def test_each_failure_is_that_tickers_error() -> None:
    """429 is RateLimited; 5xx, malformed JSON and a hang past the timeout are the source being
    unavailable; an unknown symbol is no data. IWM in the same download is unaffected."""
    fake = FakeYahoo(
        bars={"IWM": worked_example_bars()},
        limited={"LIM"},
        failing={"BAD"},
        garbled={"GAR"},
        hanging={"HANG"},
    )
    tickers = ["IWM", "LIM", "BAD", "GAR", "HANG", "ZZZZ"]
    async with running(fake):
        result = await asyncio.to_thread(
            source(fake, timeout=1.0).fetch, tickers, start=START, end=WORKED_SESSION
        )
    assert list(result.bars) == ["IWM"]
    errors = result.errors
    assert isinstance(errors["LIM"], RateLimited)
    for ticker in ("BAD", "GAR", "HANG"):
        assert type(errors[ticker]) is SourceUnavailable, (ticker, errors[ticker])
    # yfinance 1.7 reports an unknown symbol either as the 404 of its quote lookup (no data) or,
    # depending on which of its threads looks the timezone up first, with the same "possibly
    # delisted; no timezone found" it uses for a hung chart: then it can only be "unavailable".
    zzzz = errors["ZZZZ"]
    assert (isinstance(zzzz, NoData) and zzzz.unknown) or type(zzzz) is SourceUnavailable


async def test_currency_from_the_chart_metadata_reaches_the_signal() -> None:
    """0700.HK in HKD and VOD.L in pence (GBp), as the chart's ``meta.currency`` says, IWM in USD;
    the price service hands each ticker's currency to its signal, and a warm request (served
    from the cache) still knows it without asking Yahoo again."""
    bars = worked_example_bars()
    fake = FakeYahoo(
        bars={"0700.HK": bars, "VOD.L": bars, "IWM": bars},
        currency={"0700.HK": "HKD", "VOD.L": "GBp"},
    )
    async with running(fake):
        prices = PriceService(source(fake), MarketCalendar(), deadline=None)
        tickers = ["0700.HK", "VOD.L", "IWM"]
        signals = await prices.signals(tickers, session=WORKED_SESSION)
        asked = len(fake.charts)
        warm = await prices.signals(tickers, session=WORKED_SESSION)
    currencies = {t: s.currency for t, s in signals.items() if isinstance(s, Signal)}
    assert currencies == {"0700.HK": "HKD", "VOD.L": "GBp", "IWM": "USD"}
    assert {t: s.currency for t, s in warm.items() if isinstance(s, Signal)} == currencies
    assert len(fake.charts) == asked


async def test_yahoos_exchange_wins_over_the_suffix(tmp_path: Path) -> None:
    """A symbol without a suffix whose chart ``meta`` says Hong Kong (``exchangeName`` HKG) is
    on Hong Kong's calendar: at 2026-12-07 17:00 UTC its session is Hong Kong's 12-07, not New
    York's 12-04; a code Yahoo uses that the bot does not know leaves it to the suffix."""
    from datetime import UTC, datetime

    from tests.signals.markets import market_bars

    fake = FakeYahoo(
        bars={
            "TRAHK": market_bars("2800.HK", end=date(2026, 12, 7)),
            "ODD": worked_example_bars(),
        },
        currency={"TRAHK": "HKD"},
        exchange={"TRAHK": ("HKG", "Asia/Hong_Kong"), "ODD": ("XYZ", "America/New_York")},
    )
    async with running(fake):
        prices = PriceService(source(fake), MarketCalendar())
        now = datetime(2026, 12, 7, 17, tzinfo=UTC)
        sessions = await prices.sessions_for(["TRAHK", "ODD"], now)
        assert sessions == {"TRAHK": date(2026, 12, 7), "ODD": date(2026, 12, 4)}
        assert prices.exchange_of("TRAHK") == "XHKG" and prices.exchange_of("ODD") == "XNYS"
        [result] = (await prices.signals(["TRAHK"], session=sessions)).values()
    assert isinstance(result, Signal)
    assert (result.as_of, result.exchange, result.currency) == (date(2026, 12, 7), "XHKG", "HKD")
