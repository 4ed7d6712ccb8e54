"""Digest fan-out: 2000 subscriptions over 150 tickers against a fake Discord REST at 50 req/s.

The fake (``python -m tests.fakes.discord``) runs in its own process and answers 429 with
``retry_after`` beyond 50 requests per rolling second; its nonce dedupe is on (a duplicate
would still show: it counts messages per channel). The bot side is the real path: SQLite
storage, CSV prices through the cached price service, the digest runner (per-part claim -> post
-> mark), and the Discord adapter's ``post_message`` over discord.py.

Two modes, ``BENCH_FANOUT_RUNS`` runs each (default 3), medians reported:

- heatmaps off;
- heatmaps on, drawn ahead as the scheduler does (``DigestRunner.prerender`` for the digests
  due in the next minutes), then the fan-out posts with each picture attached. The drawing time
  is reported on its own; the fan-out's rate is what the due time sees.

Messages per second are measured at the fake, from its first to its last created message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bot.delivery.posters import DiscordHttpPoster
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import open_storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources import CsvSource
from tests.fakes.market import last_session_now, write_price_dir

SUBSCRIPTIONS = int(os.environ.get("BENCH_FANOUT_SUBSCRIPTIONS", "2000"))
TICKERS = 150
CHANNELS_PER_SERVER = 5
WATCHLIST = 8
LIMIT = 50.0


def _start_fake() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.discord", "--rate", str(LIMIT)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().split()[1]
    return proc, f"http://127.0.0.1:{port}"


def _record(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_record", timeout=30) as response:
        return dict(json.load(response))


async def _bench(tmp: Path, base: str, heatmaps: bool) -> dict[str, Any]:
    session = last_session_now()
    tickers = {f"B{i:03d}": 0.5 + (i % 37) / 10 for i in range(TICKERS)}
    prices_dir = write_price_dir(tmp / "prices", tickers, end=session)
    names = list(tickers)
    servers = SUBSCRIPTIONS // CHANNELS_PER_SERVER
    async with open_storage(f"sqlite:///{tmp / 'bench.db'}") as storage:
        subs = []
        for s in range(servers):
            watch = random.Random(s).sample(names, WATCHLIST)
            await storage.set_watchlist("discord", f"g{s}", watch)
            for c in range(CHANNELS_PER_SERVER):
                channel = str(10**17 + s * CHANNELS_PER_SERVER + c)
                subs.append(
                    await storage.upsert_subscription(
                        "discord", f"g{s}", channel, time=None, timezone="America/New_York"
                    )
                )
        prices = PriceService(CsvSource(prices_dir), MarketCalendar(), store=storage)
        poster = DiscordHttpPoster("bench-token", base_url=f"{base}/api/v10")
        await poster.open()
        targets = [Target(sub, session) for sub in subs]
        try:
            runner = DigestRunner(storage, prices, {"discord": poster}, heatmaps=heatmaps)
            began = time.perf_counter()
            await runner.prerender(targets)  # what the scheduler does before the due time
            drawn_in = time.perf_counter() - began
            began = time.perf_counter()
            report = await runner.run(targets)
            elapsed = time.perf_counter() - began
        finally:
            await poster.close()
        rows = await storage.deliveries_for(session)
    return {
        "report": report,
        "elapsed": elapsed,
        "drawn_in": drawn_in,
        "upstream_calls": prices.upstream_calls,
        "upstream_tickers": prices.upstream_tickers,
        "sent_rows": sum(r.state == "sent" for r in rows),
        "channels": {sub.channel_id for sub in subs},
        "rendered": runner.rendered,
        "distinct_watchlists": servers,
    }


def _once(heatmaps: bool) -> dict[str, Any]:
    fake, base = _start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(_bench(Path(tmp), base, heatmaps))
        record = _record(base)
    finally:
        fake.terminate()
        fake.wait(10)
    created = record["created"]
    per_channel = Counter(c["channel"] for c in created)
    at = sorted(c["at"] for c in created)
    span = at[-1] - at[0] if len(at) > 1 else float("nan")
    result.update(
        created=len(created),
        span=span,
        rate=(len(at) - 1) / span if len(at) > 1 else float("nan"),
        duplicates=sum(n - 1 for n in per_channel.values() if n > 1),
        losses=len(result["channels"] - set(per_channel)),
        limited=record["limited"],
        requests=record["requests"],
    )
    return result


def _median(runs: list[dict[str, Any]], name: str) -> float:
    return float(statistics.median(r[name] for r in runs))


def run() -> list[str]:
    """Run the benchmark and return report lines."""
    logging.getLogger("discord.http").setLevel(logging.ERROR)  # one WARNING per 429 otherwise
    count = max(1, int(os.environ.get("BENCH_FANOUT_RUNS", "3")))
    lines = [
        f"digest fan-out: {SUBSCRIPTIONS} subscriptions, {TICKERS} distinct tickers, "
        f"{SUBSCRIPTIONS // CHANNELS_PER_SERVER} watchlists of {WATCHLIST}, fake Discord at "
        f"{LIMIT:.0f} req/s; median of {count} runs per mode"
    ]
    rates = {}
    for heatmaps in (False, True):
        runs = [_once(heatmaps) for _ in range(count)]
        rate = _median(runs, "rate")
        rates[heatmaps] = rate
        label = "heatmaps on (drawn ahead)" if heatmaps else "heatmaps off"
        each = ", ".join(f"{r['rate']:.1f}" for r in runs)
        lines += [
            f"  {label}: {rate:.1f} msg/s at the fake ({rate / LIMIT:.0%} of the limit; "
            f"target >= 90%); runs: {each}",
            f"    fan-out {_median(runs, 'elapsed'):.1f} s; pictures drawn ahead: "
            f"{_median(runs, 'rendered'):.0f} in {_median(runs, 'drawn_in'):.1f} s; "
            f"sent={runs[0]['report'].sent} ledger rows sent={runs[0]['sent_rows']}",
            f"    duplicates: {sum(r['duplicates'] for r in runs)}, losses: "
            f"{sum(r['losses'] for r in runs)} over all runs (target 0 and 0); upstream fetches "
            f"per run: {runs[0]['upstream_calls']} batched for {runs[0]['upstream_tickers']} "
            f"tickers; 429 answers: {runs[0]['limited']} of {runs[0]['requests']}",
        ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(
        f"  with / without heatmaps: {rates[True] / rates[False]:.0%}; "
        f"peak RSS (bot process): {peak_mb:.0f} MB"
    )
    return lines
