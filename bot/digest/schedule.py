"""When a subscription's digest is due: pure functions of the exchange calendar and a clock.

The rule, for a subscription with time ``HH:MM`` in zone ``tz``: the digest of session ``S`` is
due at the first ``HH:MM`` in ``tz`` at or after ``S``'s close. Without a time it is due 30
minutes after the close (16:30 New York, 13:30 on early closes). Only exchange sessions have
digests, so weekends and holidays never fire. Sessions and closes are those of the exchange the
subscription follows (its ``market``, :class:`MarketSchedules`): a Hong Kong digest is due at
16:30 Hong Kong time on Hong Kong's sessions, Thanksgiving included, National Day not.

Each session maps to exactly one UTC instant, computed from the local date, so daylight-saving
changes cannot double-fire or skip: a wall time that does not exist that day (spring forward)
maps to the instant an hour later, an ambiguous one (fall back) to its first occurrence. At
``now`` the *due* session is the latest one whose instant has passed; whether it was already
sent is the delivery ledger's business, so any number of ticks, restarts or clock jumps at the
same instant can only ever find the same (subscription, session) pair.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from signals.calendar import MarketCalendar, calendar_for
from signals.exchanges import DEFAULT_MIC, calendar_name

#: Default delay of a digest after the session's close.
DEFAULT_DELAY = timedelta(minutes=30)


@dataclass(frozen=True, order=True)
class Due:
    """A session whose digest is due, and the instant (UTC) it became due."""

    fire_at: datetime
    session: date


def parse_hhmm(value: str) -> time:
    """``HH:MM`` as a time (storage validated the format)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class DigestSchedule:
    """Fire instants of digests over an exchange calendar; every ``now`` is passed in."""

    def __init__(self, calendar: MarketCalendar, *, delay: timedelta = DEFAULT_DELAY) -> None:
        self.calendar = calendar
        self.delay = delay
        self._years: dict[int, tuple[list[date], list[datetime]]] = {}
        self._fire_cache: dict[tuple[date, str | None, str], datetime] = {}

    def _year(self, year: int) -> tuple[list[date], list[datetime]]:
        """Sessions of ``year`` and their closes (UTC), oldest first; cached."""
        if year not in self._years:
            sessions = self.calendar.sessions_in_range(date(year, 1, 1), date(year, 12, 31))
            closes = [self.calendar.session_close(s) for s in sessions]
            self._years[year] = (sessions, closes)
        return self._years[year]

    def close(self, session: date) -> datetime:
        """The close of ``session`` (UTC)."""
        sessions, closes = self._year(session.year)
        i = bisect.bisect_left(sessions, session)
        if i == len(sessions) or sessions[i] != session:
            raise ValueError(f"{session} is not a {self.calendar.name} session")
        return closes[i]

    def sessions_closed_by(self, now: datetime, count: int) -> list[date]:
        """The last ``count`` sessions whose close is at or before ``now``, newest first."""
        year = now.astimezone(UTC).year
        found: list[date] = []
        for y in range(year, year - 3, -1):
            sessions, closes = self._year(y)
            end = bisect.bisect_right(closes, now)
            found += reversed(sessions[max(0, end - (count - len(found))) : end])
            if len(found) >= count:
                break
        return found

    def fire_at(self, session: date, at: str | None, timezone: str) -> datetime:
        """The instant (UTC) the digest of ``session`` is due for a subscription.

        ``at`` is ``HH:MM`` in ``timezone``, or None for the default delay after the close.
        """
        key = (session, at, timezone)
        cached = self._fire_cache.get(key)
        if cached is not None:
            return cached
        close = self.close(session)
        if at is None:
            instant = close + self.delay
        else:
            zone, wall = _zone(timezone), parse_hhmm(at)
            day = close.astimezone(zone).date()
            while True:
                # fold=0: an ambiguous wall time is its first occurrence; a missing one (spring
                # forward) is read with the old offset, i.e. an hour later in new wall time.
                instant = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
                if instant >= close:
                    break
                day += timedelta(days=1)
        if len(self._fire_cache) > 50_000:
            self._fire_cache.clear()
        self._fire_cache[key] = instant
        return instant

    def due(self, at: str | None, timezone: str, now: datetime) -> Due | None:
        """The latest session whose digest is due at ``now``, or None (calendar exhausted)."""
        for session in self.sessions_closed_by(now, 4):
            fire = self.fire_at(session, at, timezone)
            if fire <= now:
                return Due(fire_at=fire, session=session)
        return None

    def next_due(self, at: str | None, timezone: str, now: datetime) -> Due | None:
        """The first session whose digest becomes due after ``now`` (None past the calendar)."""
        candidates: Sequence[date] = self.sessions_closed_by(now, 2)
        start = candidates[-1] if candidates else now.astimezone(UTC).date()
        sessions = self.calendar.sessions_in_range(start, start + timedelta(days=20))
        for session in sessions:
            fire = self.fire_at(session, at, timezone)
            if fire > now:
                return Due(fire_at=fire, session=session)
        return None


class MarketSchedules:
    """One :class:`DigestSchedule` per exchange calendar a subscription follows (by MIC).

    New York's is the one given (the price service's calendar, built at its first use); any
    other exchange's calendar is built the first time a subscription following it is planned,
    once per process (:func:`signals.calendar.calendar_for`).
    """

    def __init__(
        self,
        default: DigestSchedule,
        *,
        calendars: Callable[[str], MarketCalendar] = calendar_for,
    ) -> None:
        self.default = default
        self._calendars = calendars
        self._by_name: dict[str, DigestSchedule] = {default.calendar.name: default}

    def of(self, market: str | None) -> DigestSchedule:
        """The schedule of the exchange ``market`` (a MIC; None or unknown: New York's)."""
        name = calendar_name(market or DEFAULT_MIC)
        found = self._by_name.get(name)
        if found is None:
            try:
                calendar = self._calendars(market or DEFAULT_MIC)
            except Exception:  # a MIC stored by a newer version, or no calendar: New York's
                return self.default
            found = self._by_name[name] = DigestSchedule(calendar, delay=self.default.delay)
        return found
