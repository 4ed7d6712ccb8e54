"""Cache-first access to bars and signals: one upstream fetch per ticker per session."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

import pandas as pd

from signals.bars import FetchResult, PriceSource, bars_until
from signals.calendar import MarketCalendar
from signals.errors import NoData, SignalError, SourceUnavailable
from signals.momentum import Signal, Thresholds, compute_signals

log = logging.getLogger(__name__)

#: Calendar days of history fetched: ~95 sessions, enough for sigma (64 closes) and a 3-month chart.
LOOKBACK_DAYS = 140


class BarStore(Protocol):
    """Persistent cache of bars keyed by (ticker, session); storage implements it."""

    async def load_bars(self, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars for ``ticker`` fetched for ``session``, or None."""
        ...

    async def save_bars(self, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars for ``ticker`` fetched for ``session``."""
        ...


class SessionNotClosed(ValueError):
    """A requested session has not closed yet."""

    def __init__(self, requested: date, latest: date) -> None:
        super().__init__(f"{requested} has not closed yet (latest completed session {latest})")
        self.requested = requested
        self.latest = latest


class SessionOutOfRange(ValueError):
    """A requested date is before the first session the calendar knows."""

    def __init__(self, requested: date, first: date) -> None:
        super().__init__(f"{requested} is before the first known session {first}")
        self.requested = requested
        self.first = first


class MemoryBarStore:
    """In-process :class:`BarStore` (the default until storage is wired in)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, date], pd.DataFrame] = {}

    async def load_bars(self, ticker: str, session: date) -> pd.DataFrame | None:
        """Bars for ``ticker`` fetched for ``session``, or None."""
        return self._data.get((ticker, session))

    async def save_bars(self, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Remember bars for ``ticker`` fetched for ``session``."""
        self._data[(ticker, session)] = bars


@dataclass(frozen=True)
class _Provisional:
    """Bars that lack the expected session's bar (source lagging); re-fetched after ``expires``."""

    bars: pd.DataFrame
    expires: float


class PriceService:
    """Bars and signals for tickers, cache first, with concurrent requests sharing one fetch.

    Complete histories (ending on the expected session) are cached for that session in the
    :class:`BarStore`; histories the source has not yet updated are kept only briefly in memory
    so a later request picks up the new bar. Unknown tickers are remembered for ``negative_ttl``.
    """

    def __init__(
        self,
        source: PriceSource,
        calendar: MarketCalendar,
        *,
        store: BarStore | None = None,
        thresholds: Thresholds | None = None,
        lookback_days: int = LOOKBACK_DAYS,
        provisional_ttl: timedelta = timedelta(minutes=15),
        negative_ttl: timedelta = timedelta(minutes=30),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.calendar = calendar
        self.store: BarStore = store if store is not None else MemoryBarStore()
        self.thresholds = thresholds or Thresholds()
        self.lookback_days = lookback_days
        self._provisional_ttl = provisional_ttl.total_seconds()
        self._negative_ttl = negative_ttl.total_seconds()
        self._monotonic = monotonic
        self._provisional: dict[tuple[str, date], _Provisional] = {}
        self._negative: dict[tuple[str, date], tuple[SignalError, float]] = {}
        self._inflight: dict[tuple[str, date], asyncio.Future[pd.DataFrame | SignalError]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._latest_session: date | None = None
        self._long_history: PriceService | None = None
        self.upstream_calls = 0  # batched source calls made (observability, benchmarks)
        self.upstream_tickers = 0  # tickers requested upstream in total

    def session_for(self, now: datetime, as_of: date | None = None) -> date:
        """The session a request at ``now`` is about: the last completed one, or ``as_of``.

        A weekend or holiday ``as_of`` means the session before it. Raises
        :class:`SessionNotClosed` for a session that has not closed at ``now`` and
        :class:`SessionOutOfRange` for a date before the calendar's first session.
        """
        latest = self.calendar.last_completed_session(now)
        if as_of is None:
            return latest
        if as_of < self.calendar.first_session:
            raise SessionOutOfRange(as_of, self.calendar.first_session)
        if as_of > self.calendar.last_session:  # beyond the calendar: certainly not closed
            raise SessionNotClosed(as_of, latest)
        is_session = self.calendar.is_session(as_of)
        session = as_of if is_session else self.calendar.previous_session(as_of)
        if session > latest:
            raise SessionNotClosed(as_of, latest)
        return session

    async def _cached(self, ticker: str, session: date) -> pd.DataFrame | SignalError | None:
        key = (ticker, session)
        now = self._monotonic()
        negative = self._negative.get(key)
        if negative is not None:
            if negative[1] > now:
                return negative[0]
            del self._negative[key]
        provisional = self._provisional.get(key)
        if provisional is not None:
            if provisional.expires > now:
                return provisional.bars
            del self._provisional[key]
        return await self.store.load_bars(ticker, session)

    async def bars(self, tickers: Sequence[str], *, session: date) -> FetchResult:
        """Bars up to ``session`` for every ticker; at most one upstream call for all misses.

        A miss is registered as in flight the moment it is found (no ``await`` in between), so
        a concurrent request waits for it instead of fetching it again. The fetch runs as its own
        task: a requester that is cancelled never cancels the fetch other requesters wait for.
        """
        self._forget_before(session)
        wanted = list(dict.fromkeys(tickers))
        found: dict[str, pd.DataFrame | SignalError] = {}
        pending: dict[str, asyncio.Future[pd.DataFrame | SignalError]] = {}
        missing: list[str] = []
        loop = asyncio.get_running_loop()
        try:
            for ticker in wanted:
                key = (ticker, session)
                if key not in self._inflight:
                    hit = await self._cached(ticker, session)
                    if hit is not None:
                        found[ticker] = hit
                        continue
                if key not in self._inflight:  # checked again: the lookup above may yield
                    self._inflight[key] = loop.create_future()
                    missing.append(ticker)
                pending[ticker] = self._inflight[key]
        finally:
            if missing:  # even when cancelled mid-loop, so registered futures always resolve
                task = loop.create_task(self._fetch_into(missing, session))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        for ticker, future in pending.items():
            found[ticker] = await asyncio.shield(future)
        bars = {t: v for t in wanted if isinstance(v := found[t], pd.DataFrame)}
        errors = {t: v for t in wanted if isinstance(v := found[t], SignalError)}
        return FetchResult(bars=bars, errors=errors)

    async def _fetch_into(self, tickers: list[str], session: date) -> None:
        """Fetch ``tickers`` and resolve their in-flight futures, whatever happens."""
        futures = [self._inflight[(t, session)] for t in tickers]
        try:
            fetched = await self._fetch(tickers, session)
        except Exception as exc:
            log.exception("fetch for tickers=%s failed", ",".join(tickers))
            fetched = {t: SourceUnavailable(t, type(exc).__name__) for t in tickers}
        except asyncio.CancelledError:
            for future in futures:
                future.cancel()
            raise
        finally:
            for ticker in tickers:
                self._inflight.pop((ticker, session), None)
        for ticker, future in zip(tickers, futures, strict=True):
            if not future.done():
                future.set_result(fetched[ticker])

    def _forget_before(self, session: date) -> None:
        """Drop short-lived entries of sessions older than ``session`` once a new one starts."""
        if self._latest_session is not None and session <= self._latest_session:
            return
        self._latest_session = session
        self._provisional = {k: v for k, v in self._provisional.items() if k[1] >= session}
        self._negative = {k: v for k, v in self._negative.items() if k[1] >= session}

    async def _fetch(
        self, tickers: list[str], session: date
    ) -> dict[str, pd.DataFrame | SignalError]:
        start = session - timedelta(days=self.lookback_days)
        self.upstream_calls += 1
        self.upstream_tickers += len(tickers)
        began = time.perf_counter()
        try:
            result = await asyncio.to_thread(self.source.fetch, tickers, start=start, end=session)
        except Exception as exc:  # a source bug must not take the bot down
            log.exception("price source %s failed", self.source.name)
            result = FetchResult(errors={t: SourceUnavailable(t, str(exc)) for t in tickers})
        log.info(
            "fetched tickers=%s session=%s source=%s ok=%d failed=%d duration_ms=%.0f",
            ",".join(tickers),
            session,
            self.source.name,
            len(result.bars),
            len(result.errors),
            (time.perf_counter() - began) * 1000,
        )
        out: dict[str, pd.DataFrame | SignalError] = {}
        now = self._monotonic()
        for ticker in tickers:
            frame = result.bars.get(ticker)
            if frame is None:
                error = result.errors.get(ticker) or NoData(ticker, "source returned nothing")
                if isinstance(error, NoData):
                    self._negative[(ticker, session)] = (error, now + self._negative_ttl)
                out[ticker] = error
                continue
            frame = bars_until(frame, session)  # drop a live, not-yet-closed bar
            if frame.empty:
                out[ticker] = NoData(ticker, "no bars up to the session")
                continue
            if frame.index[-1].date() >= session:
                try:
                    await self.store.save_bars(ticker, session, frame)
                except Exception:  # the bars are good; only the cache write failed
                    log.warning(
                        "could not cache bars ticker=%s session=%s", ticker, session, exc_info=True
                    )
            else:
                self._provisional[(ticker, session)] = _Provisional(
                    frame, now + self._provisional_ttl
                )
            out[ticker] = frame
        return out

    def long_history(self) -> PriceService:
        """A sibling service over the same source that fetches up to 20 years (track record).

        Created once; its bars are cached per ticker and session in a bounded memory store.
        """
        if self._long_history is None:
            from signals.history import HISTORY_LOOKBACK_DAYS, BoundedBarStore

            self._long_history = PriceService(
                self.source,
                self.calendar,
                store=BoundedBarStore(),
                thresholds=self.thresholds,
                lookback_days=HISTORY_LOOKBACK_DAYS,
                provisional_ttl=timedelta(seconds=self._provisional_ttl),
                negative_ttl=timedelta(seconds=self._negative_ttl),
                monotonic=self._monotonic,
            )
        return self._long_history

    async def signals(
        self, tickers: Sequence[str], *, session: date
    ) -> dict[str, Signal | SignalError]:
        """Signals for ``tickers`` as of ``session`` (errors in place of the ones that fail)."""
        fetched = await self.bars(tickers, session=session)
        computed = compute_signals(fetched.bars, as_of=session, thresholds=self.thresholds)
        return {t: fetched.errors.get(t) or computed[t] for t in dict.fromkeys(tickers)}
