"""Digest fan-out: 2000 subscriptions over 150 tickers against a fake Discord REST at 50 req/s.

The fake (``tests/digest/fake_discord.py``) runs in its own process and answers 429 with
``retry_after`` beyond 50 requests per rolling second. The bot side is the real path: SQLite
storage, CSV prices through the cached price service, the digest runner (claim -> render -> post
-> mark, heatmap PNG attached), and the Discord adapter's ``post_message`` over discord.py.
Messages per second are measured at the fake, from its first to its last created message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bot.digest.fanout import DigestRunner, Target
from bot.digest.posters import DiscordHttpPoster
from bot.storage import open_storage
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources import CsvSource
from tests.support import last_session_now, write_price_dir

SUBSCRIPTIONS = int(os.environ.get("BENCH_FANOUT_SUBSCRIPTIONS", "2000"))
TICKERS = 150
CHANNELS_PER_SERVER = 5
WATCHLIST = 8
LIMIT = 50.0


def _start_fake() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.digest.fake_discord", "--rate", str(LIMIT)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().split()[1]
    return proc, f"http://127.0.0.1:{port}"


def _record(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_record", timeout=30) as response:
        return dict(json.load(response))


async def _bench(tmp: Path, base: str) -> dict[str, Any]:
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
        try:
            runner = DigestRunner(
                storage,
                prices,
                {"discord": poster},
                heatmaps=os.environ.get("BENCH_NO_HEATMAP") is None,
            )
            began = time.perf_counter()
            report = await runner.run([Target(sub, session) for sub in subs])
            elapsed = time.perf_counter() - began
        finally:
            await poster.close()
        rows = await storage.deliveries_for(session)
    return {
        "report": report,
        "elapsed": elapsed,
        "upstream_calls": prices.upstream_calls,
        "upstream_tickers": prices.upstream_tickers,
        "sent_rows": sum(r.state == "sent" for r in rows),
        "channels": {sub.channel_id for sub in subs},
        "rendered": runner.rendered,
        "distinct_watchlists": servers,
    }


def run() -> list[str]:
    """Run the benchmark and return report lines."""
    logging.getLogger("discord.http").setLevel(logging.ERROR)  # one WARNING per 429 otherwise
    fake, base = _start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(_bench(Path(tmp), base))
        record = _record(base)
    finally:
        fake.terminate()
        fake.wait(10)
    created = record["created"]
    per_channel = Counter(c["channel"] for c in created)
    at = sorted(c["at"] for c in created)
    span = at[-1] - at[0] if len(at) > 1 else float("nan")
    rate = (len(at) - 1) / span if len(at) > 1 else float("nan")
    duplicates = sum(n - 1 for n in per_channel.values() if n > 1)
    losses = len(result["channels"] - set(per_channel))
    report = result["report"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        f"digest fan-out: {SUBSCRIPTIONS} subscriptions, {TICKERS} distinct tickers, "
        f"{result['distinct_watchlists']} watchlists of {WATCHLIST}, fake Discord at "
        f"{LIMIT:.0f} req/s",
        f"  messages created: {len(created)} in {span:.1f} s at the fake -> {rate:.1f} msg/s "
        f"({rate / LIMIT:.0%} of the limit; target >= 90%)",
        f"  whole run (ledger, fetch, render, post): {result['elapsed']:.1f} s; "
        f"sent={report.sent} failed={report.failed} ledger rows sent={result['sent_rows']}",
        f"  upstream fetches: {result['upstream_calls']} batched call(s) for "
        f"{result['upstream_tickers']} tickers (target 1)",
        f"  duplicates: {duplicates}, losses: {losses} (target 0 and 0); "
        f"429 answers: {record['limited']} of {record['requests']} requests",
        f"  heatmaps rendered: {result['rendered']}; peak RSS (bot process): {peak_mb:.0f} MB",
    ]
