"""Every ticker on its own exchange's calendar (issue 21), with real exchange_calendars data.

The CSV fixtures' bars follow each exchange's real sessions (generated from its calendar), and
the clock is passed in, never read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.lazy_calendar import LazyCalendar
from commands.history import fetch_track_records, record_json
from commands.reply import UserError
from commands.signal import build_cards, resolve_sessions
from formatting.card import Card
from formatting.text import card_text
from signals.calendar import MarketCalendar, calendar_for
from signals.errors import BadData
from signals.funds import FUNDS
from signals.service import PriceService
from signals.sources.csv import CsvSource
from signals.track_record import TrackRecord
from tests.signals.markets import market_bars, write_market_csv


async def cards_at(directory: Path, tickers: list[str], now: datetime) -> dict[str, object]:
    """Cards for ``tickers`` at ``now`` as ``/signal`` builds them (each on its own exchange)."""
    prices = PriceService(CsvSource(directory), MarketCalendar())
    sessions = await resolve_sessions(prices, tickers, now, None)
    return dict(await build_cards(prices, tickers, session=sessions))


def only_card(found: dict[str, object], ticker: str) -> Card:
    card = found[ticker]
    assert isinstance(card, Card), card
    return card


async def test_hong_kong_holiday_is_not_stale(tmp_path: Path) -> None:
    """National Day (2026-10-01): New York trades, Hong Kong does not; the HK fund is as of
    2026-09-30 and not stale, even after New York's close of October 1."""
    write_market_csv(tmp_path, "2800.HK", market_bars("2800.HK", end=date(2026, 10, 1)))
    card = only_card(
        await cards_at(tmp_path, ["2800.HK"], datetime(2026, 10, 1, 21, tzinfo=UTC)), "2800.HK"
    )
    assert card.signal.as_of == date(2026, 9, 30)
    assert card.signal.exchange == "XHKG"
    assert not card.stale and card.sessions_behind == 0
    assert card_text(card, "en").stale is None


async def test_hong_kong_trades_on_thanksgiving(tmp_path: Path) -> None:
    """Thanksgiving (2026-11-26): New York is closed, Hong Kong's close of the day is shown."""
    write_market_csv(tmp_path, "2800.HK", market_bars("2800.HK", end=date(2026, 11, 26)))
    write_market_csv(tmp_path, "SPY", market_bars("SPY", end=date(2026, 11, 26)))
    found = await cards_at(tmp_path, ["2800.HK", "SPY"], datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert only_card(found, "2800.HK").signal.as_of == date(2026, 11, 26)
    assert only_card(found, "SPY").signal.as_of == date(2026, 11, 25)


async def test_hong_kong_close_used_before_new_york_opens(tmp_path: Path) -> None:
    """2026-12-07 17:00 UTC (Monday): Hong Kong closed at 08:00 UTC, New York is not open yet.
    The card, its words in three languages and the JSON say the Hong Kong close."""
    from bot.cli import _signal_json

    write_market_csv(tmp_path, "2800.HK", market_bars("2800.HK", end=date(2026, 12, 7)))
    write_market_csv(tmp_path, "SPY", market_bars("SPY", end=date(2026, 12, 7)))
    found = await cards_at(tmp_path, ["2800.HK", "SPY"], datetime(2026, 12, 7, 17, tzinfo=UTC))
    card = only_card(found, "2800.HK")
    assert card.signal.as_of == date(2026, 12, 7) and not card.stale
    assert card.signal.currency == "HKD"
    assert card_text(card, "en").as_of == "Data as of December 7, 2026 close (Hong Kong)"
    assert card_text(card, "zh").as_of == "数据截至2026年12月7日收盘（香港）"
    assert card_text(card, "zh-hant").as_of == "資料截至2026年12月7日收盤（香港）"
    assert "HK$" in card_text(card, "en").price
    assert card_text(card, "zh").fund_name == "盈富基金"
    us = only_card(found, "SPY")
    assert us.signal.as_of == date(2026, 12, 4)
    assert card_text(us, "en").as_of == "Data as of December 4, 2026 close"  # US text unchanged
    assert _signal_json(card)["exchange"] == "XHKG"
    assert _signal_json(card)["as_of"] == "2026-12-07"
    assert _signal_json(us)["exchange"] == "XNYS"


async def test_history_counts_the_tickers_own_sessions(tmp_path: Path) -> None:
    """The track record is as of the ticker's own last close and its JSON names the exchange."""
    write_market_csv(
        tmp_path, "510300.SS", market_bars("510300.SS", end=date(2026, 12, 7), sessions=300)
    )
    prices = PriceService(CsvSource(tmp_path), MarketCalendar())
    sessions = await resolve_sessions(
        prices, ["510300.SS"], datetime(2026, 12, 7, 17, tzinfo=UTC), None
    )
    record = (await fetch_track_records(prices, ["510300.SS"], session=sessions))["510300.SS"]
    assert isinstance(record, TrackRecord)
    assert record.as_of == date(2026, 12, 7) and record.exchange == "XSHG"
    assert record_json(record, source="csv")["exchange"] == "XSHG"


@pytest.mark.parametrize("ticker", ["510300.SS", "159915.SZ"])
async def test_mainland_fund_across_golden_week(tmp_path: Path, ticker: str) -> None:
    """Shanghai and Shenzhen close 2026-10-01 to 10-07: as of 09-30, not stale, all week; the
    10-08 close counts as soon as that session has closed (Shenzhen keeps Shanghai's days)."""
    write_market_csv(tmp_path, ticker, market_bars(ticker, end=date(2026, 10, 8)))
    for day in range(1, 8):
        now = datetime(2026, 10, day, 12, tzinfo=UTC)
        card = only_card(await cards_at(tmp_path, [ticker], now), ticker)
        assert card.signal.as_of == date(2026, 9, 30) and not card.stale, day
    after = only_card(
        await cards_at(tmp_path, [ticker], datetime(2026, 10, 8, 8, tzinfo=UTC)), ticker
    )
    assert after.signal.as_of == date(2026, 10, 8)
    assert after.signal.exchange == ("XSHE" if ticker.endswith(".SZ") else "XSHG")


@pytest.mark.parametrize(("ticker", "close_utc"), [("0050.TW", 5.5), ("1306.T", 6.5)])
async def test_taiwan_and_japan_early_in_their_day(
    tmp_path: Path, ticker: str, close_utc: float
) -> None:
    """At 09:00 in Taipei and 10:00 in Tokyo the day's session is open: a bar dated today (a
    live partial bar) is not used, the previous session is; after the close it is."""
    write_market_csv(tmp_path, ticker, market_bars(ticker, end=date(2026, 12, 7)))
    early = only_card(
        await cards_at(tmp_path, [ticker], datetime(2026, 12, 7, 1, tzinfo=UTC)), ticker
    )
    assert early.signal.as_of == date(2026, 12, 4) and not early.stale
    hour, minute = int(close_utc), round((close_utc % 1) * 60)
    closed = datetime(2026, 12, 7, hour, minute, tzinfo=UTC)
    assert calendar_for(early.signal.exchange).session_close(date(2026, 12, 7)) == closed
    late = only_card(await cards_at(tmp_path, [ticker], closed), ticker)
    assert late.signal.as_of == date(2026, 12, 7)


async def test_london_on_a_uk_bank_holiday(tmp_path: Path) -> None:
    """Summer bank holiday (2026-08-31): London is closed, New York trades; the London fund is
    as of 08-28 and not stale; its price stays in pence."""
    bars = market_bars("ISF.L", end=date(2026, 8, 31))
    write_market_csv(tmp_path, "ISF.L", bars, currency="GBp")
    card = only_card(
        await cards_at(tmp_path, ["ISF.L"], datetime(2026, 8, 31, 21, tzinfo=UTC)), "ISF.L"
    )
    assert card.signal.as_of == date(2026, 8, 28) and not card.stale
    assert card_text(card, "en").as_of == "Data as of August 28, 2026 close (London)"
    assert card_text(card, "en").price.endswith("p")


async def test_stale_hong_kong_fund_counts_hong_kong_sessions(tmp_path: Path) -> None:
    """HK data ending 2026-12-03, asked at 2026-12-07 17:00 UTC: two Hong Kong sessions behind
    (12-04 and 12-07), said in plain words."""
    write_market_csv(tmp_path, "2800.HK", market_bars("2800.HK", end=date(2026, 12, 3)))
    card = only_card(
        await cards_at(tmp_path, ["2800.HK"], datetime(2026, 12, 7, 17, tzinfo=UTC)), "2800.HK"
    )
    assert card.signal.as_of == date(2026, 12, 3) and card.expected_session == date(2026, 12, 7)
    assert card.stale and card.sessions_behind == 2
    assert "2 sessions ago" in str(card_text(card, "en").stale)


async def test_bad_data_on_a_tokyo_fund(tmp_path: Path) -> None:
    """A zero close on a Tokyo session in the window: no signal, the date and source named."""
    bars = market_bars("1306.T", end=date(2026, 12, 7))
    bad_day = bars.index[-10]
    bars.loc[bad_day, ["Close", "Adj Close"]] = 0.0
    write_market_csv(tmp_path, "1306.T", bars)
    found = await cards_at(tmp_path, ["1306.T"], datetime(2026, 12, 7, 12, tzinfo=UTC))
    error = found["1306.T"]
    assert isinstance(error, BadData) and error.day == bad_day.date()


async def test_csv_exchange_column_wins_over_the_suffix(tmp_path: Path) -> None:
    """A file naming its exchange (``Exchange`` = XHKG) is on Hong Kong's calendar whatever its
    name; a file whose rows disagree is bad data; an unknown MIC is the user's error."""
    bars = market_bars("2800.HK", end=date(2026, 12, 7))
    write_market_csv(tmp_path, "TRAHK", bars, currency="HKD", exchange_column="XHKG")
    card = only_card(
        await cards_at(tmp_path, ["TRAHK"], datetime(2026, 12, 7, 17, tzinfo=UTC)), "TRAHK"
    )
    assert card.signal.exchange == "XHKG" and card.signal.as_of == date(2026, 12, 7)

    mixed = ["XHKG"] * (len(bars) - 1) + ["XNYS"]
    write_market_csv(tmp_path, "MIXED.HK", bars, exchange_column=mixed)
    found = await cards_at(tmp_path, ["MIXED.HK"], datetime(2026, 12, 7, 17, tzinfo=UTC))
    assert isinstance(found["MIXED.HK"], BadData)

    write_market_csv(tmp_path, "ODD", bars, exchange_column="QQQQ")
    with pytest.raises(UserError) as caught:
        await cards_at(tmp_path, ["ODD"], datetime(2026, 12, 7, 17, tzinfo=UTC))
    assert caught.value.key == "error.unknown_exchange"


async def test_a_hong_kong_request_builds_no_new_york_calendar(tmp_path: Path) -> None:
    """Only the calendars of the tickers asked about are built: New York's stays lazy."""
    write_market_csv(tmp_path, "2800.HK", market_bars("2800.HK", end=date(2026, 12, 7)))
    prices = PriceService(CsvSource(tmp_path), LazyCalendar())
    sessions = await prices.sessions_for(["2800.HK"], datetime(2026, 12, 7, 17, tzinfo=UTC))
    assert sessions == {"2800.HK": date(2026, 12, 7)}
    assert "_cal" not in prices.calendar.__dict__  # the lazy XNYS calendar was never built
    assert calendar_for("XHKG") is calendar_for("XHKG")  # built once per process


def test_calendars_of_the_catalog_cover_2026() -> None:
    """Every exchange of a catalog fund has a calendar reaching the end of 2026."""
    from signals.exchanges import exchange_for

    for mic in sorted({exchange_for(f.ticker) for f in FUNDS.values()}):
        assert calendar_for(mic).last_session >= date(2026, 12, 31), mic


async def test_a_saved_symbol_with_an_unknown_suffix_stays_on_new_york(tmp_path: Path) -> None:
    """A watchlist saved before suffixes were checked (``BRK.B``) still gets its digest signal,
    on New York's calendar as before; only typed symbols are refused."""
    write_market_csv(tmp_path, "BRK.B", market_bars("SPY", end=date(2026, 12, 4)), currency="USD")
    prices = PriceService(CsvSource(tmp_path), MarketCalendar())
    found = await prices.signals(["BRK.B"], session=date(2026, 12, 4))
    signal = found["BRK.B"]
    assert not isinstance(signal, Exception) and signal.exchange == "XNYS"
