"""Digests follow a market (issue 21, part 4): each subscription on its exchange's sessions.

Real exchange_calendars data throughout, clocks passed in: a Hong Kong digest is due at 16:30
Hong Kong time (08:30 UTC) on Hong Kong's sessions, Thanksgiving included, National Day and the
Lunar New Year holidays not; New York subscriptions stay as they were.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.fanout import DigestRunner
from bot.digest.schedule import DigestSchedule, MarketSchedules
from bot.digest.scheduler import DigestScheduler, plan
from bot.storage import Storage
from formatting.digest import digest_text
from signals.calendar import MarketCalendar, calendar_for, zone_of
from signals.exchanges import shared_market
from signals.service import PriceService
from signals.sources import CsvSource
from tests.digest.conftest import RecordingPoster
from tests.digest.test_schedule import sub
from tests.signals.markets import market_bars, write_market_csv

HK = "Asia/Hong_Kong"
SCHEDULES = MarketSchedules(DigestSchedule(MarketCalendar()))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hk_sub(id: int = 1, at: str | None = None, zone: str = HK) -> object:
    return replace(sub(id, at, zone), market="XHKG")


@pytest.mark.parametrize(
    ("now", "session"),
    [
        # Thanksgiving: New York is closed, Hong Kong trades; due at 16:30 Hong Kong time
        ("2026-11-26T08:29", date(2026, 11, 25)),
        ("2026-11-26T08:30", date(2026, 11, 26)),
        # National Day: Hong Kong is closed, New York trades; nothing new is due that day
        ("2026-10-01T08:30", date(2026, 9, 30)),
        ("2026-10-01T23:59", date(2026, 9, 30)),
        ("2026-10-02T08:30", date(2026, 10, 2)),
        # Lunar New Year: the eve closes at noon (due 12:30), three holidays, then the 20th
        ("2026-02-16T04:30", date(2026, 2, 16)),
        ("2026-02-19T12:00", date(2026, 2, 16)),
        ("2026-02-20T08:30", date(2026, 2, 20)),
    ],
)
def test_a_hong_kong_digest_is_due_on_hong_kong_sessions(now: str, session: date) -> None:
    """30 minutes after Hong Kong's close, on Hong Kong's sessions only."""
    due = SCHEDULES.of("XHKG").due(None, HK, utc(now))
    assert due is not None and due.session == session


def test_hong_kong_close_and_early_close_in_hong_kong_time() -> None:
    """16:00 Hong Kong normally, noon on the Lunar New Year's eve; fire 30 minutes later."""
    schedule = SCHEDULES.of("XHKG")
    assert schedule.fire_at(date(2026, 11, 26), None, HK) == utc("2026-11-26T08:30")
    assert schedule.fire_at(date(2026, 2, 16), None, HK) == utc("2026-02-16T04:30")
    assert schedule.fire_at(date(2026, 11, 26), "18:00", HK) == utc("2026-11-26T10:00")
    with pytest.raises(ValueError, match="not a XHKG session"):
        schedule.close(date(2026, 10, 1))


def test_plan_puts_each_subscription_on_its_own_market() -> None:
    """At 08:30 UTC on Thanksgiving the Hong Kong digest is due; the New York one is not (its
    last due session is the day before, sent then); on National Day nothing is due in Hong
    Kong while New York's digest of that day comes at 16:30 New York."""
    ny, hk = sub(1), hk_sub(2)
    targets, _ = plan([ny, hk], utc("2026-11-26T08:30"), SCHEDULES, grace=timedelta(hours=6))
    assert {(t.subscription.id, t.session) for t in targets} == {(2, date(2026, 11, 26))}
    targets, _ = plan([ny, hk], utc("2026-10-01T08:30"), SCHEDULES, grace=timedelta(hours=6))
    assert targets == []  # Hong Kong's last session (09-30) was due a day ago: past the grace
    targets, _ = plan([ny, hk], utc("2026-10-01T20:30"), SCHEDULES, grace=timedelta(hours=6))
    assert {(t.subscription.id, t.session) for t in targets} == {(1, date(2026, 10, 1))}
    # one schedule for all (as before markets): the Hong Kong subscription is on New York's
    targets, _ = plan([hk], utc("2026-10-01T20:30"), SCHEDULES.default, grace=timedelta(hours=6))
    assert [t.session for t in targets] == [date(2026, 10, 1)]


def test_each_calendar_is_built_once_and_unknown_markets_fall_back() -> None:
    """Shenzhen keeps Shanghai's schedule; an unknown MIC (a newer version's) is New York's."""
    built: list[str] = []

    def calendars(mic: str) -> MarketCalendar:
        built.append(mic)
        return calendar_for(mic)

    schedules = MarketSchedules(SCHEDULES.default, calendars=calendars)
    assert schedules.of("XSHG") is schedules.of("XSHE") is schedules.of("XSHG")
    assert schedules.of("XNYS") is schedules.of(None) is SCHEDULES.default
    assert schedules.of("ZZZZ") is SCHEDULES.default
    assert built == ["XSHG", "ZZZZ"]


@pytest.mark.parametrize(
    ("tickers", "market"),
    [
        (["2800.HK", "3033.HK"], "XHKG"),
        (["510300.SS", "159915.SZ"], "XSHG"),
        (["159915.SZ"], "XSHE"),
        (["0050.TW", "006201.TWO"], "XTAI"),
        (["SPY", "QQQ"], "XNYS"),
        (["SPY", "2800.HK"], "XNYS"),
        (["2800.HK", "BAD.ZZ"], "XHKG"),
        ([], "XNYS"),
    ],
)
def test_the_market_a_watchlist_shares(tickers: list[str], market: str) -> None:
    assert shared_market(tickers) == market


def test_exchange_time_zones_without_building_a_calendar() -> None:
    assert zone_of("XHKG") == HK
    assert zone_of("XSHE") == "Asia/Shanghai"
    assert zone_of("XNYS") == "America/New_York"


# --- the digest of a market, its rows and its runs ------------------------------------------


@pytest.fixture
def hk_prices(tmp_path: Path, storage: Storage) -> PriceService:
    """CSV prices on each exchange's real sessions: two Hong Kong funds, SPY, one Tokyo fund,
    all up to Thanksgiving 2026 (New York's last bar is the 25th, it was closed on the 26th)."""
    directory = tmp_path / "markets"
    directory.mkdir()
    for seed, ticker in enumerate(("2800.HK", "3033.HK", "SPY", "1306.T")):
        write_market_csv(directory, ticker, market_bars(ticker, end=date(2026, 11, 26), seed=seed))
    return PriceService(CsvSource(directory), MarketCalendar(), store=storage)


async def test_a_mixed_watchlist_says_each_rows_own_date(
    storage: Storage, hk_prices: PriceService
) -> None:
    """A Hong Kong digest of Thanksgiving over HK, US and Tokyo funds: the HK rows are of the
    26th, SPY of the 25th (New York's last close by then) and says so; nothing is stale."""
    sessions = await hk_prices.sessions_of_digest(
        ["2800.HK", "SPY", "1306.T"], "XHKG", date(2026, 11, 26)
    )
    assert sessions == {
        "2800.HK": date(2026, 11, 26),
        "SPY": date(2026, 11, 25),
        "1306.T": date(2026, 11, 26),  # Tokyo closed at 06:30 UTC, before Hong Kong
    }
    from commands.digest import preview_digest

    digest = await preview_digest(
        hk_prices, storage, ["2800.HK", "SPY", "1306.T"], session=date(2026, 11, 26), market="XHKG"
    )
    assert not digest.stale and digest.data_as_of == date(2026, 11, 26)
    assert [i.key for i in digest.issues] == ["digest.row_as_of"]
    text = digest_text(digest, "en")
    assert text.issues == ("SPY: data as of November 25, 2026 close (New York).",)
    assert text.stale is None
    assert digest_text(digest, "zh").issues == ("SPY：数据截至2026年11月25日收盘（纽约）。",)
    assert digest_text(digest, "zh-hant").issues == ("SPY：資料截至2026年11月25日收盤（紐約）。",)
    # part 8: each close in its own currency, the column right-aligned across them
    closes = {row[0]: row[1] for row in text.rows}
    assert closes["2800.HK"].startswith("HK$") and closes["1306.T"].startswith("¥")
    assert closes["SPY"].startswith("$")
    from formatting.digest import table_lines

    table = table_lines(text.header, text.rows)
    ends = {
        line.index(closes[row[0]]) + len(closes[row[0]])
        for row, line in zip(text.rows, table[1:], strict=True)
    }
    assert len(ends) == 1, table  # the closes end in one column whatever their currency mark


async def test_a_lagging_foreign_row_counts_its_own_sessions(
    tmp_path: Path, storage: Storage
) -> None:
    """In a New York digest of 2026-10-02, a Hong Kong fund whose file ends on 09-29 is two
    Hong Kong sessions behind (National Day is not one; New York would count three)."""
    directory = tmp_path / "lag"
    directory.mkdir()
    write_market_csv(directory, "SPY", market_bars("SPY", end=date(2026, 10, 2)))
    write_market_csv(directory, "2800.HK", market_bars("2800.HK", end=date(2026, 9, 29)))
    prices = PriceService(CsvSource(directory), MarketCalendar(), store=storage)
    from commands.digest import preview_digest

    digest = await preview_digest(
        prices, storage, ["SPY", "2800.HK"], session=date(2026, 10, 2), market="XNYS"
    )
    assert digest.stale and digest.data_as_of == date(2026, 9, 29)
    [issue] = digest.issues
    assert issue.key == "digest.row_latest_close" and issue.params["sessions"] == 2


async def test_a_hong_kong_digest_runs_on_thanksgiving_once_across_a_restart(
    storage: Storage, hk_prices: PriceService
) -> None:
    """The scheduler, clock passed in: the HK digest of Thanksgiving goes out at 08:30 UTC,
    once (a new process at 08:35 sends nothing); on National Day nothing goes out."""
    await storage.set_watchlist("discord", "g", ["2800.HK", "3033.HK"])
    await storage.upsert_subscription(
        "discord", "g", "hk", time=None, timezone=HK, market="XHKG", market_auto=True
    )
    now = [utc("2026-11-26T08:29")]
    poster = RecordingPoster()

    def make() -> DigestScheduler:
        runner = DigestRunner(storage, hk_prices, {"discord": poster}, heatmaps=False, rates={})
        return DigestScheduler(
            runner, storage, DigestSchedule(hk_prices.calendar), clock=lambda: now[0]
        )

    first = make()
    assert await first.check_leader()
    assert await first.tick() is None and poster.sent == []
    now[0] = utc("2026-11-26T08:30")
    report = await first.tick()
    assert report is not None and report.sent == 1 and poster.channels() == ["hk"]
    [hk] = await storage.list_subscriptions()
    row = await storage.get_delivery(hk.id, date(2026, 11, 26))
    assert row is not None and row.state == "sent"
    await first.stop(drain=1)
    restarted = make()
    assert await restarted.check_leader()
    now[0] = utc("2026-11-26T08:35")
    report = await restarted.tick()
    assert report is not None and report.sent == 0 and poster.channels() == ["hk"]
    await restarted.stop(drain=1)


# --- alerts after each ticker's own close (part 5) ------------------------------------------


async def test_alerts_are_evaluated_after_each_tickers_own_close(
    storage: Storage, hk_prices: PriceService
) -> None:
    """On Thanksgiving at 08:32 UTC the alerts of the Hong Kong fund run for Hong Kong's
    session of the 26th; the SPY alert waits for New York (whose last session, the 25th, was
    due a day ago: past the grace). On the 27th at 18:32 UTC (New York's 13:00 early close
    plus 30 minutes has passed) SPY's run is for New York's 27th, Hong Kong's past the grace."""
    from bot.alerts.runner import AlertReport, AlertRunner
    from bot.alerts.service import AlertClock

    storage._clock = lambda: utc("2026-11-01T00:00")  # type: ignore[attr-defined]
    for ticker in ("2800.HK", "SPY"):
        await storage.add_alert("discord", "g", "c", ticker, user_id=None, limit=10)
    runs: list[tuple[date, str | None]] = []

    class Spy(AlertRunner):
        async def run(self, session, *, due_at=None, active=lambda: True, market=None):  # type: ignore[no-untyped-def,override]
            runs.append((session, market))
            return AlertReport()

    class Leader:
        def active(self) -> bool:
            return True

        def posting(self):  # type: ignore[no-untyped-def]
            import contextlib

            return contextlib.nullcontext()

    runner = Spy(storage, hk_prices, {"discord": RecordingPoster()})
    assert await runner.markets() == ["XNYS", "XHKG"]
    now = [utc("2026-11-26T08:32")]
    clock = AlertClock(
        runner,
        Leader(),  # type: ignore[arg-type]
        DigestSchedule(hk_prices.calendar),
        grace=timedelta(hours=6),
        clock=lambda: now[0],
    )
    assert await clock.tick() is not None
    assert runs == [(date(2026, 11, 26), "XHKG")]
    now[0] = utc("2026-11-27T18:32")
    runs.clear()
    assert await clock.tick() is not None
    assert runs == [(date(2026, 11, 27), "XNYS")]
