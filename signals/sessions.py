"""Each ticker on its own exchange: its MIC, its exchange's calendar and the session it is about.

:class:`ExchangeSessions` is the part of the price service that knows exchanges: New York's
calendar is the one it was given (built at first use), any other exchange's is built the first
time one of its tickers is asked about (:func:`signals.calendar.calendar_for`), once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from signals.cache import BarLRU
from signals.calendar import MarketCalendar, calendar_for
from signals.errors import SignalError
from signals.exchanges import DEFAULT_MIC, UnknownExchange, calendar_name, exchange, exchange_for

log = logging.getLogger(__name__)

#: The session a request is about: one for every ticker, or each ticker's own (its exchange's).
Sessions = date | Mapping[str, date]


def session_of(sessions: Sessions, ticker: str) -> date:
    """The session ``ticker`` is asked about in ``sessions``."""
    return sessions if isinstance(sessions, date) else sessions[ticker]


class SessionNotClosed(ValueError):
    """A requested session has not closed yet (on the exchange ``exchange``, a MIC)."""

    def __init__(self, requested: date, latest: date, exchange: str = "XNYS") -> None:
        super().__init__(f"{requested} has not closed yet (latest completed session {latest})")
        self.requested = requested
        self.latest = latest
        self.exchange = exchange


class SessionOutOfRange(ValueError):
    """A requested date is before the first session the calendar knows."""

    def __init__(self, requested: date, first: date) -> None:
        super().__init__(f"{requested} is before the first known session {first}")
        self.requested = requested
        self.first = first


class ExchangeSessions:
    """Exchanges of tickers, their calendars and sessions; the price service builds on it."""

    memory: BarLRU
    sources: tuple[Any, ...]
    _provisional: dict[tuple[str, date], Any]
    _negative: dict[tuple[str, date], tuple[SignalError, float]]

    def __init__(
        self, calendar: MarketCalendar, calendars: Callable[[str], MarketCalendar] = calendar_for
    ) -> None:
        self.calendar = calendar  # New York's (the default exchange), possibly not built yet
        self._calendars = calendars  # any other exchange's, by MIC, built at first use
        self._exchanges: dict[str, str] = {}  # ticker -> MIC, once resolved
        self._latest_session: dict[str, date] = {}  # by calendar name

    def calendar_of(self, mic: str) -> MarketCalendar:
        """The calendar of exchange ``mic``: New York's is the service's own (built at its first
        use), any other exchange's is built the first time a ticker of it is asked about."""
        name = calendar_name(mic)
        return self.calendar if name == self.calendar.name else self._calendars(mic)

    def exchange_or_default(self, ticker: str) -> str:
        """:meth:`exchange_of`, or New York's for a symbol with an unknown suffix that reached
        the service without the parser (a watchlist saved before suffixes were checked)."""
        try:
            return self.exchange_of(ticker)
        except UnknownExchange:
            return DEFAULT_MIC

    def exchange_of(self, ticker: str) -> str:
        """The MIC of ``ticker``: what its source said (see :meth:`resolve_exchanges`), else its
        suffix's, else New York's. Raises :class:`~signals.exchanges.UnknownExchange`."""
        known = self._exchanges.get(ticker)
        if known is None:
            known = self._exchanges[ticker] = exchange_for(ticker)
        return known

    async def resolve_exchanges(self, tickers: Sequence[str]) -> dict[str, str]:
        """The MIC of each ticker, asking the sources that can say (a CSV file's ``Exchange``
        column, Yahoo's chart metadata, Tiingo's meta endpoint) once per ticker, in the chain's
        order, before the suffix rule; remembered for the process.

        Raises :class:`~signals.exchanges.UnknownExchange` for an unknown suffix or MIC.
        """
        unknown = [t for t in dict.fromkeys(tickers) if t not in self._exchanges]
        hinted = [u.source for u in self.sources if _names_exchanges(u.source)]
        found: dict[str, str] = {}
        for source in hinted if unknown else []:
            # a source that names the exchange wins over the suffix; the first one that says
            rest = [t for t in unknown if t not in found]
            if not rest:
                break
            try:
                named = await _exchanges_named(source, rest)
            except Exception:  # the source could not say: the suffix decides
                log.warning("exchange lookup failed source=%s", source, exc_info=True)
                continue
            for ticker, mic in named.items():
                if not mic:
                    continue
                try:
                    found[ticker] = exchange(mic).mic
                except UnknownExchange:
                    raise UnknownExchange(ticker, mic) from None
        self._exchanges.update(found)
        return {t: self.exchange_of(t) for t in dict.fromkeys(tickers)}

    async def sessions_for(
        self, tickers: Sequence[str], now: datetime, as_of: date | None = None
    ) -> dict[str, date]:
        """Each ticker's session at ``now``: the last completed one of *its* exchange, or the
        session of ``as_of`` there (see :meth:`session_for`, whose errors it raises)."""
        mics = await self.resolve_exchanges(tickers)
        by_mic: dict[str, date] = {}
        out: dict[str, date] = {}
        for ticker, mic in mics.items():
            found = by_mic.get(mic)
            if found is None:
                found = by_mic[mic] = self.session_for(now, as_of, exchange=mic)
            out[ticker] = found
        return out

    async def sessions_of_digest(
        self, tickers: Sequence[str], market: str, session: date
    ) -> dict[str, date]:
        """The session each ticker's figures should be for in the digest of ``session`` on the
        exchange ``market`` (a MIC): ``session`` for the tickers on that exchange's calendar,
        else the last session of the ticker's own exchange closed at ``session``'s close there.

        A ticker whose exchange cannot be told (a suffix saved before suffixes were checked) is
        taken as New York's; each calendar is built once.
        """
        with contextlib.suppress(UnknownExchange):  # those are taken as New York's below
            await self.resolve_exchanges(tickers)  # the sources that name the exchange, once
        own = self.calendar_of(market)
        close: datetime | None = None
        if own.is_session(session):
            close = own.session_close(session)
        by_calendar: dict[str, date] = {own.name: session}
        out: dict[str, date] = {}
        for ticker in tickers:
            calendar = self.calendar_of(self.exchange_or_default(ticker))
            day = by_calendar.get(calendar.name)
            if day is None:
                day = session if close is None else calendar.last_completed_session(close)
                by_calendar[calendar.name] = day
            out[ticker] = day
        return out

    def session_for(
        self, now: datetime, as_of: date | None = None, *, exchange: str = "XNYS"
    ) -> date:
        """The session a request at ``now`` is about on ``exchange`` (a MIC): the last
        completed one, or ``as_of``.

        A weekend or holiday ``as_of`` means the session before it. Raises
        :class:`SessionNotClosed` for a session that has not closed at ``now`` and
        :class:`SessionOutOfRange` for a date before the calendar's first session.
        """
        calendar = self.calendar_of(exchange)
        latest = calendar.last_completed_session(now)
        if as_of is None:
            return latest
        if as_of < calendar.first_session:
            raise SessionOutOfRange(as_of, calendar.first_session)
        if as_of > calendar.last_session:  # beyond the calendar: certainly not closed
            raise SessionNotClosed(as_of, latest, exchange)
        is_session = calendar.is_session(as_of)
        session = as_of if is_session else calendar.previous_session(as_of)
        if session > latest:
            raise SessionNotClosed(as_of, latest, exchange)
        return session

    def sessions_behind(self, as_of: date, session: date, *, exchange: str = "XNYS") -> int:
        """Sessions from ``as_of`` to ``session`` on ``exchange`` (0 when the data is for the
        session itself)."""
        if as_of >= session:
            return 0
        return len(self.calendar_of(exchange).sessions_in_range(as_of, session)) - 1

    def _forget_older(self, tickers: Sequence[str], sessions: Sessions) -> None:
        """Drop short-lived entries of older sessions once an exchange's new session starts."""
        days: dict[date, list[str]] = {}
        if isinstance(sessions, date):
            days[sessions] = list(tickers)
        else:
            for ticker in tickers:
                days.setdefault(sessions[ticker], []).append(ticker)
        for day, group in days.items():
            for ticker in group:
                try:
                    name = calendar_name(self.exchange_of(ticker))
                except ValueError:  # an unknown suffix: nothing of it is kept
                    continue
                latest = self._latest_session.get(name)
                if latest is None or day > latest:
                    self._latest_session[name] = day
                    if latest is not None:
                        self._forget_before(name, day)

    def _forget_before(self, name: str, session: date) -> None:
        """Drop entries of sessions before ``session`` of tickers on the calendar ``name``."""

        def older(key: tuple[str, date]) -> bool:
            return key[1] < session and self._calendar_name_of(key[0]) == name

        self._provisional = {k: v for k, v in self._provisional.items() if not older(k)}
        self._negative = {k: v for k, v in self._negative.items() if not older(k)}
        self.memory.forget_before(session, lambda ticker: self._calendar_name_of(ticker) == name)

    def _calendar_name_of(self, ticker: str) -> str:
        mic = self._exchanges.get(ticker)
        if mic is None:
            try:
                mic = self.exchange_of(ticker)
            except ValueError:
                return ""
        return calendar_name(mic)

    def _first_session(self, tickers: Sequence[str]) -> date:
        """The earliest first session among the calendars of ``tickers`` (the widest re-read)."""
        names = {self._calendar_name_of(t) or self.calendar.name for t in tickers}
        if names <= {self.calendar.name}:
            return self.calendar.first_session
        return min(self.calendar_of(n).first_session for n in names)


def _names_exchanges(source: Any) -> bool:
    """True for a source that can name a ticker's exchange (see :func:`_exchanges_named`)."""
    return any(
        callable(getattr(source, name, None))
        for name in ("exchanges_of_async", "exchanges_of", "exchange_of")
    )


async def _exchanges_named(source: Any, tickers: list[str]) -> dict[str, str]:
    """The MICs ``source`` names for ``tickers``: an async source (Tiingo, aiohttp) on the event
    loop, a blocking one (Yahoo's metadata, a CSV file) in a worker thread."""
    asked = getattr(source, "exchanges_of_async", None)
    if callable(asked):
        named: dict[str, str] = await asked(tickers)
        return named
    batch = getattr(source, "exchanges_of", None)
    if callable(batch):
        return await asyncio.to_thread(batch, tickers)
    return await asyncio.to_thread(lambda: {t: m for t in tickers if (m := source.exchange_of(t))})
