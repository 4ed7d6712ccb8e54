"""When digests are due: default and custom times, early closes, holidays, DST, catch-up, grace."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import DigestSchedule
from bot.digest.scheduler import plan
from bot.storage import Subscription
from signals.calendar import MarketCalendar

CAL = MarketCalendar()
SCHEDULE = DigestSchedule(CAL)
NEW_YORK = "America/New_York"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sub(id: int = 1, at: str | None = None, zone: str = NEW_YORK) -> Subscription:
    stamp = utc("2026-01-01T00:00")
    return Subscription(
        id=id,
        platform="discord",
        server_id="g",
        channel_id=f"c{id}",
        time=at,
        timezone=zone,
        language=None,
        enabled=True,
        disabled_reason=None,
        created_at=stamp,
        updated_at=stamp,
    )


def transitions(
    at: str | None, zone: str, start: datetime, end: datetime
) -> list[tuple[date, datetime]]:
    """Tick every minute from ``start`` to ``end``; (session, tick) each time a new session is due."""
    first = SCHEDULE.due(at, zone, start)
    current = first.session if first else None
    out = []
    now = start
    while now <= end:
        due = SCHEDULE.due(at, zone, now)
        if due is not None and due.session != current:
            out.append((due.session, now))
            current = due.session
        now += timedelta(minutes=1)
    return out


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        (date(2026, 6, 8), "2026-06-08T20:30"),  # 16:30 EDT
        (date(2026, 1, 5), "2026-01-05T21:30"),  # 16:30 EST
        (date(2026, 11, 27), "2026-11-27T18:30"),  # early close 13:00 -> 13:30 EST
        (date(2026, 12, 24), "2026-12-24T18:30"),  # early close 13:00 -> 13:30 EST
    ],
)
def test_default_time_is_30_minutes_after_the_close(session: date, expected: str) -> None:
    """Without a time the digest is due 30 min after the close: 16:30 NY, 13:30 on early closes."""
    assert SCHEDULE.fire_at(session, None, NEW_YORK) == utc(expected)
    assert CAL.is_early_close(session) == (expected.endswith("18:30"))


@pytest.mark.parametrize(
    ("start", "end", "sessions"),
    [
        (
            "2026-07-01T12:00",
            "2026-07-07T23:00",
            ["2026-07-01", "2026-07-02", "2026-07-06", "2026-07-07"],
        ),
        ("2026-11-25T12:00", "2026-11-30T23:00", ["2026-11-25", "2026-11-27", "2026-11-30"]),
        (
            "2026-12-23T12:00",
            "2026-12-29T23:00",
            ["2026-12-23", "2026-12-24", "2026-12-28", "2026-12-29"],
        ),
    ],
)
def test_only_sessions_fire_never_holidays_or_weekends(
    start: str, end: str, sessions: list[str]
) -> None:
    """Ticking every minute, exactly the XNYS sessions fire (not 07-03, 11-26, 12-25, weekends)."""
    fired = transitions(None, NEW_YORK, utc(start), utc(end))
    assert [s.isoformat() for s, _ in fired] == sessions
    for session, tick in fired:
        assert tick == SCHEDULE.fire_at(session, None, NEW_YORK)
        assert tick.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") in ("16:30", "13:30")


#: (time, zone) pairs with their expected fire instants (UTC) around the 2026 transitions:
#: US on March 8 and November 1, UK on March 29 and October 25.
DST_CASES = [
    (None, NEW_YORK, {"2026-03-06": "2026-03-06T21:30", "2026-03-09": "2026-03-09T20:30",
                      "2026-10-30": "2026-10-30T20:30", "2026-11-02": "2026-11-02T21:30"}),
    ("16:30", NEW_YORK, {"2026-03-06": "2026-03-06T21:30", "2026-03-09": "2026-03-09T20:30",
                         "2026-10-30": "2026-10-30T20:30", "2026-11-02": "2026-11-02T21:30"}),
    ("01:30", NEW_YORK, {"2026-03-06": "2026-03-07T06:30", "2026-03-09": "2026-03-10T05:30",
                         "2026-10-30": "2026-10-31T05:30", "2026-11-02": "2026-11-03T06:30"}),
    ("02:30", NEW_YORK, {"2026-03-06": "2026-03-07T07:30", "2026-03-09": "2026-03-10T06:30",
                         "2026-10-30": "2026-10-31T06:30", "2026-11-02": "2026-11-03T07:30"}),
    ("08:00", "Asia/Shanghai", {"2026-03-06": "2026-03-07T00:00", "2026-03-09": "2026-03-10T00:00",
                                "2026-10-30": "2026-10-31T00:00", "2026-11-02": "2026-11-03T00:00"}),
    ("21:30", "Europe/London", {"2026-03-27": "2026-03-27T21:30", "2026-03-30": "2026-03-30T20:30",
                                "2026-10-23": "2026-10-23T20:30", "2026-10-26": "2026-10-26T21:30"}),
]  # fmt: skip


@pytest.mark.parametrize(("at", "zone", "expected"), DST_CASES)
@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-03-01T00:00", "2026-04-03T00:00"), ("2026-10-19T00:00", "2026-11-07T00:00")],
    ids=["march", "november"],
)
def test_dst_transitions_never_skip_or_double_fire(
    at: str | None, zone: str, expected: dict[str, str], start: str, end: str
) -> None:
    """Minute ticks across the DST changes: every session fires once, at its local wall time."""
    fired = transitions(at, zone, utc(start), utc(end))
    sessions = [s for s, _ in fired]
    in_window = [
        s
        for s in CAL.sessions_in_range(utc(start).date() - timedelta(days=5), utc(end).date())
        if utc(start) < SCHEDULE.fire_at(s, at, zone) <= utc(end)
    ]
    assert sessions == in_window  # each session once, in order, none skipped
    assert len(sessions) == len(set(sessions))
    wall = at or "16:30"
    zone_shown = ZoneInfo(zone if at else NEW_YORK)
    for _, tick in fired:
        assert tick.astimezone(zone_shown).strftime("%H:%M") == wall
    for session, instant in expected.items():
        if utc(start) < utc(instant) <= utc(end):
            assert (date.fromisoformat(session), utc(instant)) in fired


def test_a_missing_wall_time_fires_once_an_hour_later() -> None:
    """00:30 in Cairo does not exist on 2026-04-24 (clocks go 00:00 -> 01:00): it fires at 01:30."""
    fired = transitions("00:30", "Africa/Cairo", utc("2026-04-23T12:00"), utc("2026-04-24T12:00"))
    assert fired == [(date(2026, 4, 23), utc("2026-04-23T22:30"))]


def test_an_ambiguous_wall_time_fires_at_its_first_occurrence_only() -> None:
    """23:30 happens twice in Cairo on 2026-10-29 (24:00 -> 23:00): one digest, at the first."""
    fired = transitions("23:30", "Africa/Cairo", utc("2026-10-29T12:00"), utc("2026-10-30T12:00"))
    assert fired == [(date(2026, 10, 29), utc("2026-10-29T20:30"))]


def test_a_time_before_the_close_is_the_next_day_for_the_session_just_closed() -> None:
    """09:00 New York: Friday's digest goes out Saturday 09:00, Monday's on Tuesday."""
    assert SCHEDULE.fire_at(date(2026, 6, 5), "09:00", NEW_YORK) == utc("2026-06-06T13:00")
    due = SCHEDULE.due("09:00", NEW_YORK, utc("2026-06-08T20:30"))  # Monday after the close
    assert due is not None and due.session == date(2026, 6, 5)


def test_two_sessions_due_at_once_keep_only_the_latest() -> None:
    """14:00 NY: the 12-23 digest would be due 12-24 14:00, like 12-24's (early close): one."""
    due = SCHEDULE.due("14:00", NEW_YORK, utc("2026-12-24T19:00"))
    assert due is not None and due.session == date(2026, 12, 24)
    fired = transitions("14:00", NEW_YORK, utc("2026-12-22T20:00"), utc("2026-12-29T20:00"))
    # 12-23 is superseded: both would go out 12-24 14:00, and only the latest session is sent.
    assert [s for s, _ in fired] == [date(2026, 12, 22), date(2026, 12, 24), date(2026, 12, 28)]


def test_eve_of_an_early_close_is_not_dropped() -> None:
    """14:00 NY puts 12-23 and 12-24 at the same instant: plan targets both sessions."""
    targets, _ = plan([sub(1, "14:00", NEW_YORK)], utc("2026-12-24T19:00"), SCHEDULE)
    assert [t.session for t in targets] == [date(2026, 12, 23), date(2026, 12, 24)]


def test_a_new_subscription_gets_no_earlier_session() -> None:
    """A subscription made after the earlier session fell due is only sent the latest one."""
    fresh = replace(sub(1, "14:00", NEW_YORK), created_at=utc("2026-12-24T19:30"))
    targets, late = plan([fresh], utc("2026-12-24T19:45"), SCHEDULE)
    assert [t.session for t in targets] == [date(2026, 12, 24)] and late == []


def test_next_due() -> None:
    """The next fire instant after now, skipping the holiday."""
    nxt = SCHEDULE.next_due(None, NEW_YORK, utc("2026-07-02T21:00"))
    assert nxt is not None and (nxt.session, nxt.fire_at) == (
        date(2026, 7, 6),
        utc("2026-07-06T20:30"),
    )


def test_plan_catches_up_within_grace_and_skips_after() -> None:
    """After downtime a due digest is a target within the grace window, and late after it."""
    subs = [sub(1), sub(2, "08:00", "Asia/Shanghai"), sub(3, "23:00", NEW_YORK)]
    now = utc("2026-06-09T02:00")  # 22:00 NY on Monday 06-08
    targets, late = plan(subs, now, SCHEDULE, grace=timedelta(hours=6))
    # 1: 16:30 NY was 5.5 h ago; 2: 08:00 Shanghai (00:00 UTC) 2 h ago; 3: 23:00 NY not yet, so
    # its due session is Friday's, three days late.
    assert [(t.subscription.id, t.session) for t in targets] == [
        (1, date(2026, 6, 8)),
        (2, date(2026, 6, 8)),
    ]
    # late also lists each one's session before (the ledger says whether it was ever sent)
    assert [(s.id, d.session) for s, d in late] == [
        (1, date(2026, 6, 5)),
        (2, date(2026, 6, 5)),
        (3, date(2026, 6, 4)),
        (3, date(2026, 6, 5)),
    ]
    later = utc("2026-06-09T03:00")  # 6.5 h after 16:30 NY; 23:00 NY now
    targets, late = plan(subs, later, SCHEDULE, grace=timedelta(hours=6))
    assert [(t.subscription.id, t.session) for t in targets] == [
        (2, date(2026, 6, 8)),
        (3, date(2026, 6, 8)),
    ]
    assert [(s.id, d.session) for s, d in late] == [
        (1, date(2026, 6, 5)),
        (1, date(2026, 6, 8)),
        (2, date(2026, 6, 5)),
        (3, date(2026, 6, 5)),
    ]


def test_plan_allows_stale_data_only_after_the_wait() -> None:
    """A digest may post older data only once it has waited ``stale_wait`` past its time."""
    subs = [sub(1)]
    early = plan(subs, utc("2026-06-08T20:40"), SCHEDULE, stale_wait=timedelta(minutes=30))[0]
    late = plan(subs, utc("2026-06-08T21:00"), SCHEDULE, stale_wait=timedelta(minutes=30))[0]
    assert [t.allow_stale for t in early] == [False]
    assert [t.allow_stale for t in late] == [True]


def test_plan_ignores_disabled_subscriptions() -> None:
    """A disabled subscription is never due."""
    disabled = Subscription(**{**sub(1).__dict__, "enabled": False})
    assert plan([disabled], utc("2026-06-08T21:00"), SCHEDULE) == ([], [])
