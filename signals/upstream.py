"""Calls to a price source: bounded concurrency and a timeout on every upstream call."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from signals.bars import AsyncPriceSource, FetchResult, PriceSource, bars_until
from signals.errors import TIMEOUT, NoData, SourceUnavailable

log = logging.getLogger(__name__)

#: Upstream calls one source may have running at once (threads for a blocking source).
DEFAULT_CONCURRENCY = 4
#: Seconds one upstream call may take before its tickers count as unavailable.
DEFAULT_CALL_TIMEOUT = 30.0


def source_id(source: PriceSource | AsyncPriceSource) -> str:
    """The cache id of ``source`` (its ``source_id``; a bare ``name`` for minimal test fakes)."""
    return str(getattr(source, "source_id", source.name))


class Upstream:
    """One price source behind a semaphore, each call bounded by ``timeout`` seconds.

    A blocking source runs in the default thread pool. A call that times out returns
    :class:`SourceUnavailable` for its tickers; its thread cannot be killed, so it keeps its
    concurrency slot until it really ends: a hanging upstream never grows the number of threads.
    """

    def __init__(
        self,
        source: PriceSource | AsyncPriceSource,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = DEFAULT_CALL_TIMEOUT,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.source = source
        self.name = source.name
        self.source_id = source_id(source)
        self.timeout = timeout
        self._slots = asyncio.Semaphore(concurrency)

    async def aclose(self) -> None:
        """Close the source's own client, if it has one (Tiingo's HTTP session)."""
        close = getattr(self.source, "aclose", None)
        if close is not None:
            await close()

    def _timed_out(self, tickers: Sequence[str]) -> FetchResult:
        log.warning(
            "price source %s timed out after %.1fs tickers=%s",
            self.source_id,
            self.timeout,
            ",".join(tickers),
        )
        detail = f"{self.name} timed out after {self.timeout:g}s"
        return FetchResult(
            errors={
                t: SourceUnavailable(t, detail, source=self.name, cause=TIMEOUT) for t in tickers
            }
        )

    async def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """Bars for ``tickers`` in ``[start, end]``; never raises for a failing source."""
        try:
            if isinstance(self.source, AsyncPriceSource):
                async with self._slots:
                    try:
                        async with asyncio.timeout(self.timeout):
                            return await self.source.fetch_async(tickers, start=start, end=end)
                    except TimeoutError:
                        return self._timed_out(tickers)
            return await self._threaded(self.source, tickers, start, end)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a source bug must not take the bot down
            log.exception("price source %s failed", self.source_id)
            detail = f"{self.name} failed ({type(exc).__name__})"
            return FetchResult(
                errors={t: SourceUnavailable(t, detail, source=self.name) for t in tickers}
            )

    def _finished(self, running: asyncio.Future[FetchResult]) -> None:
        """Free the slot when the thread really ends; a late failure is logged, not lost."""
        self._slots.release()
        if not running.cancelled() and running.exception() is not None:
            log.warning("price source %s failed after its timeout", self.source_id)

    async def _threaded(
        self, source: PriceSource, tickers: Sequence[str], start: date, end: date
    ) -> FetchResult:
        await self._slots.acquire()
        loop = asyncio.get_running_loop()
        call = functools.partial(source.fetch, list(tickers), start=start, end=end)
        try:
            running = loop.run_in_executor(None, call)
        except BaseException:
            self._slots.release()
            raise
        running.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(running), self.timeout)
        except TimeoutError:
            return self._timed_out(tickers)


def _window_start(last: date, lookback_days: int) -> date:
    return last - timedelta(days=lookback_days)


async def fetch_window(
    upstream: Upstream,
    tickers: Sequence[str],
    *,
    session: date,
    lookback_days: int,
    first_session: date,
) -> FetchResult:
    """Bars for ``tickers`` up to ``session``, the window counted back from each ticker's last bar.

    One call for the usual case. A ticker the source has nothing for in the window is asked
    again over the whole calendar (SIGNALS.md: "no data" only when the source has no bar at all);
    a ticker whose last bar is older than ``session`` gets its window re-read back from that bar,
    so a stale answer has as many closes as a fresh one. Each result is cut to that window.
    """
    start = session - timedelta(days=lookback_days)
    result = await upstream.fetch(tickers, start=start, end=session)
    unknown = [
        t
        for t in tickers
        if t not in result.bars
        and isinstance(error := result.errors.get(t), NoData)
        and not error.unknown
    ]
    wide: set[str] = set()
    if unknown and first_session < start:
        again = await upstream.fetch(unknown, start=first_session, end=session)
        result = result.merged(FetchResult(bars=again.bars))
        wide = set(again.bars)
    bars: dict[str, pd.DataFrame] = {}
    short: dict[date, list[str]] = {}
    for ticker, frame in result.bars.items():
        frame = bars_until(frame, session)  # drop a live, not-yet-closed bar
        if frame.empty:
            continue
        last = frame.index[-1].date()
        begin = _window_start(last, lookback_days)
        fetched_from = first_session if ticker in wide else start
        # re-read only when our own start cut the window short, not when the history is short
        cut_short = frame.index[0].date() - fetched_from <= timedelta(days=7)
        if last < session and fetched_from > begin and cut_short:
            short.setdefault(last, []).append(ticker)
        bars[ticker] = frame.loc[frame.index >= pd.Timestamp(begin)]
    for last, group in short.items():
        again = await upstream.fetch(group, start=_window_start(last, lookback_days), end=last)
        for ticker in group:
            reread = again.bars.get(ticker)
            if reread is not None and not (reread := bars_until(reread, last)).empty:
                bars[ticker] = reread
    errors = {
        t: result.errors.get(t) or NoData(t, "no bars up to the session")
        for t in tickers
        if t not in bars
    }
    source = upstream.source_id
    return FetchResult(bars=bars, errors=errors, sources=dict.fromkeys(bars, source))
