"""XNYS calendar: completed sessions, early closes, holidays, and the clock passed in."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from signals.calendar import NEW_YORK, MarketCalendar

CAL = MarketCalendar()


@pytest.mark.parametrize(
    ("now_ny", "expected"),
    [
        (datetime(2026, 11, 24, 15, 59), date(2026, 11, 23)),  # Tuesday before the close
        (datetime(2026, 11, 24, 16, 0), date(2026, 11, 24)),  # at the close
        (datetime(2026, 11, 26, 12, 0), date(2026, 11, 25)),  # Thanksgiving: closed
        (datetime(2026, 11, 27, 12, 59), date(2026, 11, 25)),  # early close at 13:00
        (datetime(2026, 11, 27, 13, 0), date(2026, 11, 27)),
        (datetime(2026, 11, 28, 10, 0), date(2026, 11, 27)),  # Saturday
        (datetime(2026, 7, 3, 18, 0), date(2026, 7, 2)),  # Independence Day observed
        (datetime(2026, 12, 25, 18, 0), date(2026, 12, 24)),  # Christmas; 24th closed early
    ],
)
def test_last_completed_session(now_ny, expected):
    """The as-of session is the last one whose close has passed at ``now``."""
    assert CAL.last_completed_session(now_ny.replace(tzinfo=NEW_YORK)) == expected


def test_same_instant_in_any_timezone():
    """The answer depends on the instant, not on the timezone it is written in."""
    instant = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    tokyo = instant.astimezone(timezone(timedelta(hours=9)))
    assert CAL.last_completed_session(instant) == CAL.last_completed_session(tokyo)


def test_early_closes_and_holidays():
    """2026-11-27 and 2026-12-24 close at 13:00 New York; holidays are not sessions."""
    assert CAL.is_early_close(date(2026, 11, 27)) and CAL.is_early_close(date(2026, 12, 24))
    assert not CAL.is_early_close(date(2026, 11, 25))
    assert CAL.session_close(date(2026, 12, 24)).astimezone(NEW_YORK).hour == 13
    for holiday in (date(2026, 7, 3), date(2026, 11, 26), date(2026, 12, 25)):
        assert not CAL.is_session(holiday)
    assert CAL.next_session(date(2026, 11, 25)) == date(2026, 11, 27)
    assert CAL.previous_session(date(2026, 11, 27)) == date(2026, 11, 25)


def test_is_open_and_naive_now_rejected():
    """A naive datetime is a bug, not a guess; is_open follows the session hours."""
    assert CAL.is_open(datetime(2026, 11, 24, 10, 0, tzinfo=NEW_YORK))
    assert not CAL.is_open(datetime(2026, 11, 24, 16, 0, tzinfo=NEW_YORK))
    with pytest.raises(ValueError, match="aware"):
        CAL.last_completed_session(datetime(2026, 11, 24, 10, 0))


def test_calendar_reaches_twenty_years_back() -> None:
    """--as-of 2005-06-01 (and any session since 1995) is a known session, whatever today is."""
    from signals.service import PriceService

    cal = MarketCalendar()
    assert cal.first_session <= date(2005, 6, 1)
    prices = PriceService(CountingNothing(), cal)
    assert prices.session_for(datetime(2026, 12, 1, tzinfo=UTC), date(2005, 6, 1)) == date(
        2005, 6, 1
    )
    assert len(cal.sessions_in_range(date(2006, 1, 1), date(2025, 12, 31))) >= 5_000


class CountingNothing:
    """A source that is never asked."""

    name = "none"

    def fetch(self, tickers, *, start, end):  # pragma: no cover - never called
        raise AssertionError("no fetch expected")


def test_last_completed_session_remembered_span_is_exact() -> None:
    """The remembered answer holds only from a close to the next close: instants around many
    closes (early ones included), asked in a jumbled order, match the computation from scratch."""
    calendar = MarketCalendar()
    fresh = MarketCalendar()
    instants: list[datetime] = []
    for session in calendar.sessions_in_range(date(2025, 11, 20), date(2026, 1, 10)):
        close = calendar.session_close(session)
        instants += [close - timedelta(seconds=1), close, close + timedelta(hours=20)]
    instants += [datetime(2026, 1, 3, 12, tzinfo=UTC), datetime(2025, 12, 25, 18, tzinfo=UTC)]
    random.Random(9).shuffle(instants)
    for now in instants + sorted(instants):
        assert calendar.last_completed_session(now) == fresh._last_completed(now), now
