"""Tiingo through aiohttp against a local fake: fields, errors, and the yfinance,tiingo chain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import pytest

from bot.settings import SettingsError, load_settings
from commands.signal import build_cards
from formatting.card import Card
from formatting.text import card_text
from signals.bars import FetchResult
from signals.calendar import MarketCalendar
from signals.errors import NoData, RateLimited, SourceUnavailable
from signals.service import PriceService
from signals.sources.tiingo import TiingoSource
from signals.upstream import Upstream
from tests.fakes.market import WORKED_SESSION, worked_example_bars
from tests.fakes.tiingo import KEY, FakeTiingo, running

START = date(2026, 1, 1)


def tiingo(fake: FakeTiingo, key: str = KEY) -> TiingoSource:
    return TiingoSource(lambda: key, base_url=fake.base_url, timeout=5)


async def test_daily_prices_map_to_bars() -> None:
    """close, adjClose and volume become Close, Adj Close and Volume, exactly, in range."""
    bars = worked_example_bars()
    async with running(FakeTiingo(bars={"iwm": bars})) as fake:
        source = tiingo(fake)
        result = await source.fetch_async(["IWM"], start=START, end=WORKED_SESSION)
        await source.aclose()
    got = result.bars["IWM"]
    expected = bars.loc[bars.index >= pd.Timestamp(START)]
    for column in ("Close", "Adj Close", "Volume"):
        assert got[column].tolist() == pytest.approx(expected[column].tolist(), rel=1e-12)
    assert list(got.index) == list(expected.index)
    assert fake.requests == [
        ("iwm", {"startDate": "2026-01-01", "endDate": "2026-06-08", "format": "json"})
    ]


async def test_errors_map_to_ours() -> None:
    """404 is no data, 429 a rate limit, a non-JSON answer unavailable; one ticker each."""
    fake = FakeTiingo(bars={"iwm": worked_example_bars()}, limited={"spy"}, broken={"qqq"})
    async with running(fake):
        source = tiingo(fake)
        result = await source.fetch_async(
            ["IWM", "ZZZZ", "SPY", "QQQ"], start=START, end=WORKED_SESSION
        )
        await source.aclose()
    assert list(result.bars) == ["IWM"]
    assert isinstance(result.errors["ZZZZ"], NoData) and result.errors["ZZZZ"].unknown
    assert isinstance(result.errors["SPY"], RateLimited)
    assert type(result.errors["QQQ"]) is SourceUnavailable


async def test_bad_key_is_unavailable_and_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    """401: SourceUnavailable, a log line that says to check TIINGO_API_KEY, the key in neither."""
    async with running(FakeTiingo(bars={"iwm": worked_example_bars()})) as fake:
        source = tiingo(fake, key="wrong-secret-key")
        result = await source.fetch_async(["IWM"], start=START, end=WORKED_SESSION)
        await source.aclose()
    error = result.errors["IWM"]
    assert type(error) is SourceUnavailable and "API key" in error.detail
    assert "TIINGO_API_KEY" in caplog.text
    assert "wrong-secret-key" not in caplog.text + str(error) + repr(source.__dict__.keys())


async def test_a_hanging_tiingo_times_out() -> None:
    """A request that never answers ends at the upstream call's timeout as unavailable."""
    async with running(FakeTiingo(hanging={"iwm"})) as fake:
        source = tiingo(fake)
        upstream = Upstream(source, timeout=0.3)
        result = await upstream.fetch(["IWM"], start=START, end=WORKED_SESSION)
        await source.aclose()
    assert isinstance(result.errors["IWM"], SourceUnavailable)


class YahooDown:
    """The first link of the chain: rate-limited for IWM, fine for SPY."""

    name = "yfinance"
    source_id = "yfinance"

    def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        bars = {t: worked_example_bars() * 2 for t in tickers if t == "SPY"}
        errors = {t: RateLimited(t, "429") for t in tickers if t != "SPY"}
        return FetchResult(bars=bars, errors=errors)  # type: ignore[arg-type]


async def test_chain_falls_back_per_ticker_and_the_card_names_who_answered() -> None:
    """yfinance,tiingo: SPY from Yahoo, rate-limited IWM from Tiingo; each card says which."""
    async with running(FakeTiingo(bars={"iwm": worked_example_bars()})) as fake:
        source = tiingo(fake)
        prices = PriceService([YahooDown(), source], MarketCalendar())
        cards = await build_cards(prices, ["SPY", "IWM"], session=WORKED_SESSION)
        again = await build_cards(prices, ["IWM"], session=WORKED_SESSION)
        await prices.aclose()
    spy, iwm = cards["SPY"], cards["IWM"]
    assert isinstance(spy, Card) and isinstance(iwm, Card)
    assert (spy.source, iwm.source) == ("yfinance", "tiingo")
    assert iwm.signal.close == pytest.approx(281.65)
    assert card_text(iwm, "en").source == "Price source: Tiingo."
    assert isinstance(again["IWM"], Card) and again["IWM"].source == "tiingo"
    assert [t for t, _ in fake.requests] == ["iwm"]  # the second card came from the cache


def test_tiingo_in_the_chain_needs_a_key() -> None:
    """SIGNALBOT_PRICE_SOURCE=yfinance,tiingo without TIINGO_API_KEY is a one-line error."""
    with pytest.raises(SettingsError, match="TIINGO_API_KEY"):
        load_settings(env_file=None, price_source="yfinance,tiingo")
    settings = load_settings(env_file=None, price_source="yfinance,tiingo", tiingo_api_key="k")
    assert settings.prices.sources == ("yfinance", "tiingo")
    assert repr(settings.prices.tiingo_api_key) != "k"


async def test_a_digest_served_by_two_sources_names_both() -> None:
    """A watchlist split over the chain says "Yahoo Finance + Tiingo" in its source line."""
    from formatting.digest import digest_text
    from formatting.digest_build import digest_from_results, results_source

    async with running(FakeTiingo(bars={"iwm": worked_example_bars()})) as fake:
        prices = PriceService([YahooDown(), tiingo(fake)], MarketCalendar())
        results = await prices.signals(["SPY", "IWM"], session=WORKED_SESSION)
        await prices.aclose()
    source = results_source(results, prices.source.source_id)
    assert source == "yfinance+tiingo"
    digest = digest_from_results(WORKED_SESSION, ["SPY", "IWM"], results, {}, source=source)
    assert "Price source: Yahoo Finance + Tiingo." in digest_text(digest, "en").as_of


async def test_tiingos_exchange_code_names_the_exchange(caplog: pytest.LogCaptureFixture) -> None:
    """The meta endpoint's ``exchangeCode`` gives the MIC (NYSE ARCA -> ARCX, NASDAQ -> XNAS);
    an unknown code (LSE), a failed meta call (HTTP 502) and an unknown ticker fall back to the
    suffix (New York; Hong Kong for ``.HK``), sessions as before; one meta call per ticker."""
    from datetime import UTC, datetime

    caplog.set_level("DEBUG")
    fake = FakeTiingo(
        bars={"spy": worked_example_bars(), "qqq": worked_example_bars()},
        exchange={"spy": "NYSE ARCA", "qqq": "NASDAQ", "odd": "LSE", "2800.hk": "HKSE"},
        meta_broken={"down"},
    )
    tickers = ["SPY", "QQQ", "ODD", "DOWN", "ZZZZ", "2800.HK"]
    async with running(fake):
        source = tiingo(fake)
        prices = PriceService(source, MarketCalendar())
        mics = await prices.resolve_exchanges(tickers)
        now = datetime(2026, 12, 7, 17, tzinfo=UTC)
        sessions = await prices.sessions_for(tickers, now)
        again = await source.exchanges_of_async(tickers)
        await prices.aclose()
    assert mics == {
        "SPY": "ARCX",
        "QQQ": "XNAS",
        "ODD": "XNYS",
        "DOWN": "XNYS",
        "ZZZZ": "XNYS",
        "2800.HK": "XHKG",
    }
    new_york, hong_kong = date(2026, 12, 4), date(2026, 12, 7)
    assert sessions == {t: hong_kong if t == "2800.HK" else new_york for t in tickers}
    assert again == {"SPY": "ARCX", "QQQ": "XNAS"}
    asked = [t for t, _ in fake.metas]
    # once each; the failed one is asked again by the last call (a failure is not kept)
    assert sorted(asked) == sorted([*(t.lower() for t in tickers), "down"])
    assert "tiingo meta ticker=DOWN failed: HTTP 502" in caplog.text
    assert KEY not in caplog.text


async def test_a_failed_meta_call_changes_nothing_else(caplog: pytest.LogCaptureFixture) -> None:
    """A bad key on the meta call (HTTP 401): the suffix decides, the key is in no log line."""
    caplog.set_level("DEBUG")
    fake = FakeTiingo(bars={"spy": worked_example_bars()}, exchange={"spy": "NYSE ARCA"})
    async with running(fake):
        source = tiingo(fake, key="wrong-secret-key")
        assert await source.exchanges_of_async(["SPY", "0700.HK"]) == {}
        prices = PriceService(source, MarketCalendar())
        assert await prices.resolve_exchanges(["SPY", "0700.HK"]) == {
            "SPY": "XNYS",
            "0700.HK": "XHKG",
        }
        await prices.aclose()
    assert fake.metas and all(auth == "Token wrong-secret-key" for _, auth in fake.metas)
    assert "wrong-secret-key" not in caplog.text


async def test_a_hanging_meta_call_ends_at_the_timeout() -> None:
    """A meta call that never answers ends at the source's timeout: nothing named, not kept."""
    fake = FakeTiingo(exchange={"spy": "NYSE ARCA"}, meta_hanging={"spy"})
    async with running(fake):
        source = TiingoSource(lambda: KEY, base_url=fake.base_url, timeout=0.3)
        assert await source.exchanges_of_async(["SPY"]) == {}
        fake.meta_hanging.clear()
        assert await source.exchanges_of_async(["SPY"]) == {"SPY": "ARCX"}
        await source.aclose()
