"""Prometheus metrics of one bot process, in a registry of its own (no global state).

Counted from the bot layer only: commands in the dispatcher, upstream price calls by wrapping the
configured :class:`~signals.bars.PriceSource`, cache hits by wrapping the bar store, digest
deliveries from the fan-out's run reports, and the leader flag read from the scheduler at scrape
time. ``signals/`` never imports prometheus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from signals.bars import FetchResult
from signals.cache import BarStore
from signals.errors import RateLimited, SourceUnavailable
from signals.upstream import Upstream

__all__ = ["CONTENT_TYPE_LATEST", "CountingSource", "CountingStore", "Metrics"]

#: Reply latency buckets (seconds): a cached card is milliseconds, a cold Yahoo fetch seconds.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Delivery outcomes, as the digest reports them.
DELIVERY_OUTCOMES = ("sent", "failed", "paused", "recovered")


def command_outcome(status: str) -> str:
    """``ok``, ``user_error`` or ``crash`` from the dispatcher's log status (no ids, no keys)."""
    return status.partition(":")[0]


class Metrics:
    """Every metric the bot exports, registered in :attr:`registry`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "signalbot_commands",
            "Commands answered, by platform, command and outcome (ok, user_error, crash)",
            ("platform", "command", "outcome"),
            registry=r,
        )
        self.reply_seconds = Histogram(
            "signalbot_reply_seconds",
            "Time from a command arriving to its reply being ready, by platform",
            ("platform",),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_calls = Counter(
            "signalbot_upstream_price_calls",
            "Batched calls to the price source, by source",
            ("source",),
            registry=r,
        )
        self.upstream_failures = Counter(
            "signalbot_upstream_price_failures",
            "Price source calls that failed (raised, or a ticker unavailable), by source",
            ("source",),
            registry=r,
        )
        self.cache = Counter(
            "signalbot_price_cache_lookups",
            "Bar cache lookups in the database, by result (hit, miss)",
            ("result",),
            registry=r,
        )
        self.deliveries = Counter(
            "signalbot_digest_deliveries",
            "Digest deliveries by outcome (sent, failed, paused, disabled, recovered)",
            ("outcome",),
            registry=r,
        )
        self.telegram_posts = Counter(
            "signalbot_telegram_posts",
            "Messages sent to Telegram, by kind (reply, delivery) and outcome (ok, failed)",
            ("kind", "outcome"),
            registry=r,
        )
        self.leader = Gauge(
            "signalbot_digest_leader",
            "1 when this process is the digest leader, else 0",
            registry=r,
        )
        for outcome in DELIVERY_OUTCOMES:  # present at 0 from the start, for rate() queries
            self.deliveries.labels(outcome)
        for result in ("hit", "miss"):
            self.cache.labels(result)
        self.leader.set(0)

    def command(self, platform: str, command: str, status: str, seconds: float) -> None:
        """One answered command (``status`` as the dispatcher logs it).

        A name outside the registry (typed by a user) is counted as ``unknown``: labels stay a
        small, fixed set whatever people type.
        """
        from commands.registry import REGISTRY

        name = command if command in REGISTRY else "unknown"
        self.commands.labels(platform, name, command_outcome(status)).inc()
        self.reply_seconds.labels(platform).observe(seconds)

    def digest_report(self, report: Any) -> None:
        """Count a digest run's deliveries (a :class:`bot.digest.claims.RunReport`).

        ``paused``: refused for a reason an admin can fix (retried next session); ``disabled``:
        the channel is gone; ``recovered``: a part whose earlier post was found on the platform
        and marked sent without posting it again.
        """
        counts = {
            "sent": report.sent,
            "failed": report.failed,
            "paused": report.paused,
            "disabled": report.gone,
            "recovered": report.recovered,
        }
        for outcome, count in counts.items():
            if count:
                self.deliveries.labels(outcome).inc(count)

    def telegram_post(self, kind: str, outcome: str) -> None:
        """One message sent to Telegram (or refused): ``kind`` reply or delivery."""
        self.telegram_posts.labels(kind, outcome).inc()

    def watch_leader(self, is_leader: Callable[[], bool]) -> None:
        """Read the leader flag at each scrape."""
        self.leader.set_function(lambda: 1.0 if is_leader() else 0.0)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


class CountingSource(Upstream):
    """One link of the price chain (an :class:`~signals.upstream.Upstream`) whose calls and
    failures are counted by source name; everything else is the wrapped link's."""

    def __init__(self, inner: Upstream, metrics: Metrics) -> None:
        # no super().__init__: the wrapped link keeps its own semaphore and timeout
        self.inner = inner
        self.metrics = metrics
        self.source = inner.source
        self.name = inner.name
        self.source_id = inner.source_id
        self.timeout = inner.timeout

    async def aclose(self) -> None:
        """Close the wrapped link's client."""
        await self.inner.aclose()

    async def fetch(self, tickers: Sequence[str], *, start: date, end: date) -> FetchResult:
        """The wrapped fetch, counted: a failure when a ticker's source was unavailable or
        rate limited (the link turns exceptions and timeouts into those); NoData is an answer."""
        self.metrics.upstream_calls.labels(self.name).inc()
        result = await self.inner.fetch(tickers, start=start, end=end)
        if any(isinstance(e, SourceUnavailable | RateLimited) for e in result.errors.values()):
            self.metrics.upstream_failures.labels(self.name).inc()
        return result


class CountingStore:
    """A bar store that counts cache hits and misses; everything else goes to ``inner``."""

    def __init__(self, inner: BarStore, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def load_bars(self, source: str, ticker: str, session: date) -> pd.DataFrame | None:
        """The cached bars, counted as a hit or a miss."""
        bars = await self.inner.load_bars(source, ticker, session)
        self.metrics.cache.labels("miss" if bars is None else "hit").inc()
        return bars

    async def save_bars(self, source: str, ticker: str, session: date, bars: pd.DataFrame) -> None:
        """Store bars in the inner store."""
        await self.inner.save_bars(source, ticker, session, bars)
