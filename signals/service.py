"""Cache-first access to bars and signals: one upstream fetch per ticker per session."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any, Final, Literal

import pandas as pd

from signals.bars import AsyncPriceSource, FetchResult, PriceSource, currency_of
from signals.cache import BarLRU, BarStore, MemoryBarStore, NoBarStore
from signals.calendar import MarketCalendar, calendar_for
from signals.errors import NoData, SignalError, SourceSlow, SourceUnavailable
from signals.momentum import Signal, Thresholds, compute_signals
from signals.sessions import (
    ExchangeSessions,
    SessionNotClosed,
    SessionOutOfRange,
    Sessions,
    session_of,
)
from signals.upstream import Upstream, fetch_window

log = logging.getLogger(__name__)

#: Calendar days of history fetched: ~95 sessions, enough for sigma (64 closes) and a 3-month chart.
LOOKBACK_DAYS = 140
#: Seconds a requester waits for a price source before "the source is slow right now".
DEFAULT_DEADLINE = 10.0
#: Long histories (track record, up to 20 years, ~250 KB each) kept in memory at most.
LONG_HISTORY_ENTRIES = 128

AnySource = PriceSource | AsyncPriceSource | Upstream

__all__ = ["PriceService", "SessionNotClosed", "SessionOutOfRange", "Sessions", "Unset"]


class Unset(Enum):
    """Marker: an optional argument that was not given (None has a meaning of its own)."""

    UNSET = "unset"


UNSET: Final[Literal[Unset.UNSET]] = Unset.UNSET


@dataclass(frozen=True)
class Sourced:
    """Bars and the id of the source that produced them."""

    frame: pd.DataFrame
    source: str


@dataclass(frozen=True)
class _Provisional:
    """Bars that lack the expected session's bar (source lagging); re-fetched after ``expires``."""

    bars: Sourced
    expires: float


class PriceService(ExchangeSessions):
    """Bars and signals for tickers, cache first, with concurrent requests sharing one fetch.

    ``sources`` is an ordered chain: a ticker the first source cannot serve is asked of the next.
    Complete histories (ending on the expected session) are cached for that session under the
    id of the source that gave them, in a small in-memory LRU in front of the :class:`BarStore`;
    histories the source has not yet updated are kept only briefly in memory so a later request
    picks up the new bar. Unknown tickers are remembered for ``negative_ttl``. No requester waits
    longer than ``deadline`` seconds: it gets :class:`SourceSlow` while the fetch goes on and
    fills the cache for the next request.
    """

    def __init__(
        self,
        sources: PriceSource | AsyncPriceSource | Upstream | Sequence[AnySource],
        calendar: MarketCalendar,
        *,
        store: BarStore | None = None,
        thresholds: Thresholds | None = None,
        lookback_days: int = LOOKBACK_DAYS,
        provisional_ttl: timedelta = timedelta(minutes=15),
        negative_ttl: timedelta = timedelta(minutes=30),
        deadline: float | None = DEFAULT_DEADLINE,
        memory_capacity: int = 512,
        monotonic: Callable[[], float] = time.monotonic,
        calendars: Callable[[str], MarketCalendar] = calendar_for,
    ) -> None:
        chain = list(sources) if isinstance(sources, Sequence) else [sources]
        if not chain:
            raise ValueError("at least one price source is needed")
        self.sources: tuple[Upstream, ...] = tuple(
            s if isinstance(s, Upstream) else Upstream(s) for s in chain
        )
        self.source = self.sources[0]
        ExchangeSessions.__init__(self, calendar, calendars)
        self.store: BarStore = store if store is not None else MemoryBarStore()
        self.memory = BarLRU(memory_capacity)
        self.thresholds = thresholds or Thresholds()
        self.lookback_days = lookback_days
        self.deadline = deadline
        self._provisional_ttl = provisional_ttl.total_seconds()
        self._negative_ttl = negative_ttl.total_seconds()
        self._monotonic = monotonic
        self._provisional: dict[tuple[str, date], _Provisional] = {}
        self._negative: dict[tuple[str, date], tuple[SignalError, float]] = {}
        self._inflight: dict[tuple[str, date], asyncio.Future[Sourced | SignalError]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._histories: dict[int, PriceService] = {}  # long-history services by lookback days
        self.upstream_calls = 0  # batched chain fetches made (observability, benchmarks)
        self.upstream_tickers = 0  # tickers requested upstream in total

    def derived(self, **options: Any) -> PriceService:
        """A service over the same sources (and their concurrency bounds) and the same store,
        with other options (the digest waits longer and re-fetches lagging bars sooner)."""
        settings: dict[str, Any] = {
            "store": self.store,
            "thresholds": self.thresholds,
            "lookback_days": self.lookback_days,
            "deadline": self.deadline,
            "memory_capacity": self.memory.capacity,
            "monotonic": self._monotonic,
            "calendars": self._calendars,
            **options,
        }
        service = PriceService(self.sources, self.calendar, **settings)
        service._exchanges = self._exchanges  # one ticker, one exchange, for every view
        return service

    async def history(
        self,
        tickers: Sequence[str],
        *,
        session: Sessions,
        sessions: int,
        deadline: float | Unset | None = UNSET,
    ) -> FetchResult:
        """Up to ``sessions`` bars per ticker ending at its last bar up to ``session`` (the track
        record asks for 5,040), one source per ticker as for cards, cached by source in memory.

        Long histories have their own cache (not the card's ``price_bars`` rows, which hold a
        shorter window under the same key), with the same single flight and deadline.
        """
        if sessions < 1:
            raise ValueError("sessions must be at least 1")
        days = math.ceil(sessions * 365.25 / 250) + 14  # ~252 sessions a year, with a margin
        if days <= self.lookback_days:
            long = self
        else:
            found = self._histories.get(days)
            long = found or self.derived(
                lookback_days=days, store=NoBarStore(), memory_capacity=LONG_HISTORY_ENTRIES
            )
            self._histories[days] = long
        result = await long.bars(tickers, session=session, deadline=deadline)
        for ticker, frame in result.bars.items():
            result.bars[ticker] = frame.iloc[-sessions:]
        return result

    async def aclose(self) -> None:
        """Close the HTTP sessions of the chain's sources (those that hold one)."""
        for upstream in self.sources:
            await upstream.aclose()

    @property
    def source_names(self) -> str:
        """The chain's source kinds, in order (``yfinance,tiingo``)."""
        return ",".join(s.name for s in self.sources)

    async def _cached(self, ticker: str, session: date) -> Sourced | SignalError | None:
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
        for upstream in self.sources:  # the chain's order decides whose cached bars answer
            sid = upstream.source_id
            frame = self.memory.get((sid, ticker, session))
            if frame is None:
                try:
                    frame = await self.store.load_bars(sid, ticker, session)
                except Exception:  # a cache that cannot be read is a miss, not an outage
                    log.warning("could not read cached bars ticker=%s", ticker, exc_info=True)
                    frame = None
                if frame is not None:
                    self.memory.put((sid, ticker, session), frame)
            if frame is not None:
                return Sourced(frame, sid)
        return None

    async def bars(
        self, tickers: Sequence[str], *, session: Sessions, deadline: float | Unset | None = UNSET
    ) -> FetchResult:
        """Bars up to ``session`` for every ticker; at most one upstream fetch for all misses
        of one session (a mapping gives each ticker its own exchange's session).

        A miss is registered as in flight the moment it is found (no ``await`` in between), so
        a concurrent request waits for it instead of fetching it again. The fetch runs as its own
        task: a requester that is cancelled or out of time never cancels the fetch others wait
        for. ``deadline`` (seconds; None waits for the source) overrides the service's.
        """
        limit = self.deadline if isinstance(deadline, Unset) else deadline
        loop = asyncio.get_running_loop()
        began = loop.time()
        wanted = list(dict.fromkeys(tickers))
        self._forget_older(wanted, session)
        found: dict[str, Sourced | SignalError] = {}
        pending: dict[str, asyncio.Future[Sourced | SignalError]] = {}
        missing: dict[date, list[str]] = {}
        try:
            for ticker in wanted:
                day = session_of(session, ticker)
                key = (ticker, day)
                if key not in self._inflight:
                    hit = await self._cached(ticker, day)
                    if hit is not None:
                        found[ticker] = hit
                        continue
                if key not in self._inflight:  # checked again: the lookup above may yield
                    self._inflight[key] = loop.create_future()
                    missing.setdefault(day, []).append(ticker)
                pending[ticker] = self._inflight[key]
        finally:
            # even when cancelled mid-loop, so registered futures always resolve
            for day, group in missing.items():
                task = loop.create_task(self._fetch_into(group, day))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        if pending:
            remaining = None if limit is None else max(0.0, limit - (loop.time() - began))
            await asyncio.wait(set(pending.values()), timeout=remaining)  # never cancels them
        for ticker, future in pending.items():
            if future.done() and not future.cancelled():
                found[ticker] = future.result()
            else:
                found[ticker] = SourceSlow(ticker, f"no answer within {limit}s")
        result = FetchResult()
        for ticker in wanted:
            value = found[ticker]
            if isinstance(value, Sourced):
                result.bars[ticker] = value.frame
                result.sources[ticker] = value.source
                result.currencies[ticker] = currency_of(value.frame)
                result.exchanges[ticker] = self.exchange_or_default(ticker)
            else:
                result.errors[ticker] = value
        return result

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

    async def _fetch(self, tickers: list[str], session: date) -> dict[str, Sourced | SignalError]:
        """Ask each source of the chain in turn for the tickers the ones before could not serve."""
        self.upstream_calls += 1
        self.upstream_tickers += len(tickers)
        out: dict[str, Sourced | SignalError] = {}
        failures: dict[str, list[SignalError]] = {t: [] for t in tickers}
        remaining = list(tickers)
        for upstream in self.sources:
            if not remaining:
                break
            began = time.perf_counter()
            result = await fetch_window(
                upstream,
                remaining,
                session=session,
                lookback_days=self.lookback_days,
                first_session=self._first_session(remaining),
            )
            log.info(
                "fetched tickers=%s session=%s source=%s ok=%d failed=%d duration_ms=%.0f",
                ",".join(remaining),
                session,
                upstream.source_id,
                len(result.bars),
                len(result.errors),
                (time.perf_counter() - began) * 1000,
            )
            for ticker in remaining:
                frame = result.bars.get(ticker)
                if frame is not None:
                    out[ticker] = await self._keep(upstream.source_id, ticker, session, frame)
                else:
                    failures[ticker].append(result.errors[ticker])
            remaining = [t for t in remaining if t not in out]
        now = self._monotonic()
        for ticker in remaining:
            error = _chain_error(failures[ticker])
            if isinstance(error, NoData):
                self._negative[(ticker, session)] = (error, now + self._negative_ttl)
            out[ticker] = error
        return out

    async def _keep(self, source: str, ticker: str, session: date, frame: pd.DataFrame) -> Sourced:
        """Cache a fetched history: for the session if complete, briefly in memory if not."""
        sourced = Sourced(frame, source)
        if frame.index[-1].date() >= session:
            self.memory.put((source, ticker, session), frame)
            try:
                await self.store.save_bars(source, ticker, session, frame)
            except Exception:  # the bars are good; only the cache write failed
                log.warning(
                    "could not cache bars ticker=%s session=%s", ticker, session, exc_info=True
                )
        else:
            expires = self._monotonic() + self._provisional_ttl
            self._provisional[(ticker, session)] = _Provisional(sourced, expires)
        return sourced

    async def signals(
        self, tickers: Sequence[str], *, session: Sessions, deadline: float | Unset | None = UNSET
    ) -> dict[str, Signal | SignalError]:
        """Signals for ``tickers`` as of ``session`` (errors in place of the ones that fail)."""
        fetched = await self.bars(tickers, session=session, deadline=deadline)
        computed = compute_signals(
            fetched.bars,
            as_of=session,
            thresholds=self.thresholds,
            sources=fetched.sources,
            currencies=fetched.currencies,
            exchanges=fetched.exchanges,
        )
        return {t: fetched.errors.get(t) or computed[t] for t in dict.fromkeys(tickers)}


def _chain_error(errors: Sequence[SignalError]) -> SignalError:
    """What to tell the user when no source served a ticker: an outage beats "no data"
    (the ticker may well exist), the first source's words beat the later ones'."""
    for error in errors:
        if not isinstance(error, NoData):
            return error
    return errors[0]
