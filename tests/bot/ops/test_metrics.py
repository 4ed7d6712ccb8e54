"""The metrics wrappers: upstream calls and failures by source, cache hits, digest outcomes."""

from __future__ import annotations

from datetime import date

from bot.digest.claims import RunReport
from bot.ops.metrics import CountingSource, CountingStore, Metrics
from signals.bars import FetchResult
from signals.errors import NoData, RateLimited
from signals.service import MemoryBarStore
from signals.upstream import Upstream


class Scripted:
    name = "scripted"

    def __init__(self, result: FetchResult | Exception) -> None:
        self.result = result

    def fetch(self, tickers, *, start, end) -> FetchResult:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


async def test_upstream_calls_and_failures_are_counted_by_source():
    """A call is counted; it is a failure when it raises, a ticker is unavailable or rate
    limited, not for an unknown ticker (NoData is an answer)."""
    metrics = Metrics()
    day = date(2026, 6, 8)
    for result in (
        FetchResult(errors={"ZZZZ": NoData("ZZZZ", "unknown")}),
        FetchResult(errors={"IWM": RateLimited("IWM", "429", retry_after=60)}),
        OSError("network down"),
    ):
        source = CountingSource(Upstream(Scripted(result)), metrics)
        assert source.name == "scripted"
        await source.fetch(["IWM"], start=day, end=day)  # the link never raises
    assert sample(metrics, "signalbot_upstream_price_calls_total", source="scripted") == 3
    assert sample(metrics, "signalbot_upstream_price_failures_total", source="scripted") == 2


async def test_cache_hits_and_misses():
    """A stored history is a hit, an absent one a miss."""
    import pandas as pd

    metrics = Metrics()
    store = CountingStore(MemoryBarStore(), metrics)
    day = date(2026, 6, 8)
    assert await store.load_bars("demo", "IWM", day) is None
    await store.save_bars("demo", "IWM", day, pd.DataFrame({"Close": [1.0]}))
    assert await store.load_bars("demo", "IWM", day) is not None
    assert sample(metrics, "signalbot_price_cache_lookups_total", result="hit") == 1
    assert sample(metrics, "signalbot_price_cache_lookups_total", result="miss") == 1


def test_digest_outcomes_and_leader():
    """Run reports add up by outcome (paused, disabled, recovered); the leader is read live."""
    metrics = Metrics()
    metrics.digest_report(RunReport(sent=3, failed=1, gone=1, paused=2, recovered=1))
    metrics.digest_report(RunReport(sent=2))
    name = "signalbot_digest_deliveries_total"
    assert sample(metrics, name, outcome="sent") == 5
    assert sample(metrics, name, outcome="failed") == 1
    assert sample(metrics, name, outcome="paused") == 2
    assert sample(metrics, name, outcome="disabled") == 1
    assert sample(metrics, name, outcome="recovered") == 1
    leader = {"now": False}
    metrics.watch_leader(lambda: leader["now"])
    assert sample(metrics, "signalbot_digest_leader") == 0
    leader["now"] = True
    assert sample(metrics, "signalbot_digest_leader") == 1
    assert b"signalbot_digest_leader 1.0" in metrics.exposition()


def test_crash_outcome_carries_no_error_id():
    """The dispatcher's 'crash:1a2b3c4d' status is counted as 'crash' (bounded labels)."""
    metrics = Metrics()
    metrics.command("slack", "signal", "crash:1a2b3c4d", 0.2)
    metrics.command("slack", "signal", "user_error:error.invalid_ticker", 0.01)
    name = "signalbot_commands_total"
    assert sample(metrics, name, platform="slack", command="signal", outcome="crash") == 1
    assert sample(metrics, name, platform="slack", command="signal", outcome="user_error") == 1


def test_command_names_outside_the_registry_are_unknown():
    """Whatever a user types as a command name, the label set stays fixed."""
    metrics = Metrics()
    for typed in ("frobnicate", "x" * 200, "signal"):
        metrics.command("terminal", typed, "user_error:error.unknown_command", 0.001)
    name = "signalbot_commands_total"
    labels = {"platform": "terminal", "outcome": "user_error"}
    assert sample(metrics, name, command="unknown", **labels) == 2
    assert sample(metrics, name, command="signal", **labels) == 1
