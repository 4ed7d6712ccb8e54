"""Exchange calendars (XNYS by default): sessions, closes, early closes, holidays.

Every exchange's calendar is built the first time a ticker of that exchange needs it, and once
per process (:func:`calendar_for`); building one costs ~0.3 s of CPU, so nothing is built at
start-up or for an exchange nobody asked about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pandas as pd

from signals.exchanges import calendar_name

NEW_YORK = ZoneInfo("America/New_York")


#: First day the calendar knows: a fixed date, so ``--as-of`` reaches 20+ years back (the track
#: record reads up to 5,040 sessions) and the range never depends on the day the bot started
#: (exchange_calendars' own default start is "20 years before today").
CALENDAR_START = date(1995, 1, 3)


@cache
def _calendar(name: str) -> Any:
    start = pd.Timestamp(CALENDAR_START)
    factory = getattr(xcals.calendar_utils, f"{name}ExchangeCalendar", None)
    bound = factory.bound_min() if factory is not None else None
    if bound is not None and pd.Timestamp(bound) > start:  # e.g. Tokyo's data starts in 1997
        start = pd.Timestamp(bound)
    return xcals.get_calendar(name, start=start.strftime("%Y-%m-%d"))


@cache
def calendar_for(mic: str) -> MarketCalendar:
    """The calendar of the exchange ``mic`` (``XSHE`` keeps Shanghai's), built at first use."""
    return MarketCalendar(calendar_name(mic))


@cache
def zone_of(mic: str) -> str:
    """The IANA time zone of the exchange ``mic`` (``XHKG`` -> ``Asia/Hong_Kong``), read from
    its calendar class: nothing is built."""
    factory = getattr(xcals.calendar_utils, f"{calendar_name(mic)}ExchangeCalendar", None)
    zone = getattr(factory, "tz", None)
    return str(zone) if zone is not None else str(NEW_YORK)


@cache
def sessions_between(earlier: date, later: date, name: str = "XNYS") -> int:
    """Sessions after ``earlier`` up to and including ``later`` (0 when not later) on the
    calendar of the exchange ``name`` (a MIC or a calendar name)."""
    if later <= earlier:
        return 0
    return max(0, len(calendar_for(name).sessions_in_range(earlier, later)) - 1)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


class MarketCalendar:
    """Thin, typed view of an exchange_calendars calendar; every 'now' is passed in."""

    def __init__(self, name: str = "XNYS") -> None:
        self.name = name
        self._cal = _calendar(name)
        self.tz = ZoneInfo(str(self._cal.tz))
        # the last answer of last_completed_session and the span of instants it holds for
        # [its close, the next session's close): most requests fall inside it
        self._completed: tuple[datetime, datetime, date] | None = None

    @property
    def first_session(self) -> date:
        """Earliest session the calendar knows."""
        return pd.Timestamp(self._cal.first_session).date()

    @property
    def last_session(self) -> date:
        """Latest session the calendar knows."""
        return pd.Timestamp(self._cal.last_session).date()

    def _in_bounds(self, day: date) -> bool:
        return self.first_session <= day <= self.last_session

    def is_session(self, day: date) -> bool:
        """True when the exchange trades on ``day``."""
        if not self._in_bounds(day):
            return False
        return bool(self._cal.is_session(pd.Timestamp(day)))

    def session_close(self, session: date) -> datetime:
        """Close of ``session`` as an aware UTC datetime (early closes included)."""
        ts = pd.Timestamp(self._cal.session_close(pd.Timestamp(session)))
        return ts.to_pydatetime().astimezone(UTC)

    def session_open(self, session: date) -> datetime:
        """Open of ``session`` as an aware UTC datetime."""
        ts = pd.Timestamp(self._cal.session_open(pd.Timestamp(session)))
        return ts.to_pydatetime().astimezone(UTC)

    def is_early_close(self, session: date) -> bool:
        """True when ``session`` closes before the regular time (e.g. day after Thanksgiving)."""
        local = self.session_close(session).astimezone(self.tz)
        regular: time = self._cal.close_times[-1][1]
        return local.time() < regular

    def sessions_in_range(self, start: date, end: date) -> list[date]:
        """Sessions with ``start <= session <= end``."""
        start = max(start, self.first_session)
        end = min(end, self.last_session)
        if start > end:
            return []
        sessions = self._cal.sessions_in_range(pd.Timestamp(start), pd.Timestamp(end))
        return [pd.Timestamp(s).date() for s in sessions]

    def previous_session(self, day: date) -> date:
        """The last session strictly before ``day``."""
        for back in (10, 40, 400):
            found = self.sessions_in_range(day - timedelta(days=back), day - timedelta(days=1))
            if found:
                return found[-1]
        raise ValueError(f"no session before {day}")

    def next_session(self, day: date) -> date:
        """The first session strictly after ``day``."""
        found = self.sessions_in_range(day + timedelta(days=1), day + timedelta(days=15))
        if not found:
            raise ValueError(f"no session after {day}")
        return found[0]

    def last_completed_session(self, now: datetime) -> date:
        """The last session whose close is at or before ``now``."""
        _require_aware(now)
        known = self._completed
        if known is not None and known[0] <= now < known[1]:
            return known[2]
        session = self._last_completed(now)
        try:
            until = self.session_close(self.next_session(session))
        except (ValueError, KeyError):  # beyond the calendar's last session: do not remember
            return session
        self._completed = (self.session_close(session), until, session)
        return session

    def _last_completed(self, now: datetime) -> date:
        today = now.astimezone(self.tz).date()
        candidates = self.sessions_in_range(today - timedelta(days=15), today)
        for session in reversed(candidates):
            if self.session_close(session) <= now:
                return session
        return self.previous_session(today - timedelta(days=15))

    def is_open(self, now: datetime) -> bool:
        """True while a session is in progress at ``now``."""
        _require_aware(now)
        today = now.astimezone(self.tz).date()
        if not self.is_session(today):
            return False
        return self.session_open(today) <= now < self.session_close(today)
