"""Webhook fan-out: 1,000 targets, a digest of three parts each, 20 messages a minute per target.

The fake receivers (``python -m tests.fakes.webhooks``) run in their own process and refuse
(429) a target's 21st message within a sliding minute, as DingTalk and WeCom robots do. The bot
side is the real path: SQLite storage, one webhook subscription per target, CSV prices through
the cached price service, the digest runner (per-part claim -> post -> mark) and the one
:class:`~bot.webhooks.poster.WebhookPoster`, with a kind that renders the JSON digest as three
parts and declares 20 a minute. Each target's parts go out in order, 3 s apart (its pacer), and
the targets are served at once: the run should take about one target's time (two intervals,
6 s) plus the ledger's writes, not a thousand times that.

Reported: the wall time of the run, messages per second at the fake (first to last message),
the 429 answers (target 0), and the shortest gap seen between two messages of one target.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.adapters.base import Attachment
from bot.delivery.markers import nonce
from bot.delivery.poster import Outgoing
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import open_storage
from bot.webhooks.json_kind import JsonKind
from bot.webhooks.kinds import register
from bot.webhooks.poster import WebhookPoster
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources import CsvSource
from tests.bot.webhooks.conftest import add_target
from tests.fakes.market import last_session_now, write_price_dir

TARGETS = int(os.environ.get("BENCH_WEBHOOK_TARGETS", "1000"))
PARTS = 3
PER_MINUTE = 20


class ThreeParts(JsonKind):
    """The JSON kind as a robot with WeCom's and DingTalk's limits: 20 a minute, the digest in
    three parts (a third of the rows each)."""

    name = "bench"
    per_minute = float(PER_MINUTE)

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        [whole] = super().render_digest(digest, language, subscription_id=subscription_id)
        rows = whole.payload["rows"]
        out = []
        for part in range(1, PARTS + 1):
            share = rows[(part - 1) * len(rows) // PARTS : part * len(rows) // PARTS]
            key = nonce(subscription_id, digest.session, part)
            out.append(Outgoing({**whole.payload, "key": key, "part": part, "rows": share}))
        return out


def _start_fake() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.webhooks", "--hooks", str(TARGETS),
         "--per-minute", str(PER_MINUTE)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    port = proc.stdout.readline().split()[1]
    return proc, f"http://127.0.0.1:{port}"


def _record(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_record", timeout=30) as response:
        return dict(json.load(response))


async def _poster_only(tmp: Path, base: str) -> dict[str, Any]:
    """The same three parts per target straight through the poster (no ledger): what per-target
    pacing with every target served at once costs by itself."""
    register(ThreeParts())
    async with open_storage(f"sqlite:///{tmp / 'poster.db'}") as storage:
        targets = [
            await add_target(storage, "bench", f"{base}/json/t{i}", watchlist=("SPY",))
            for i in range(TARGETS)
        ]
        poster = WebhookPoster(storage)

        async def three(target_id: int) -> None:
            for part in range(1, PARTS + 1):
                body = {"type": "digest", "key": f"p{target_id}-{part}", "part": part}
                await poster.send_message(str(target_id), body)

        try:
            began = time.perf_counter()
            await asyncio.gather(*(three(t.id) for t in targets))
            elapsed = time.perf_counter() - began
        finally:
            await poster.stop()
    return {"elapsed": elapsed}


async def _bench(tmp: Path, base: str) -> dict[str, Any]:
    register(ThreeParts())
    session = last_session_now()
    prices_dir = write_price_dir(tmp / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0}, end=session)
    async with open_storage(f"sqlite:///{tmp / 'bench.db'}") as storage:
        for i in range(TARGETS):
            await add_target(storage, "bench", f"{base}/json/t{i}", watchlist=("SPY", "QQQ", "IWM"))
        subs = await storage.list_subscriptions("webhook")
        prices = PriceService(CsvSource(prices_dir), MarketCalendar(), store=storage)
        poster = WebhookPoster(storage)
        try:
            runner = DigestRunner(storage, prices, {"webhook": poster}, heatmaps=False)
            began = time.perf_counter()
            report = await runner.run([Target(sub, session) for sub in subs])
            elapsed = time.perf_counter() - began
        finally:
            await poster.stop()
        rows = await storage.deliveries_for(session)
    return {"report": report, "elapsed": elapsed, "sent_rows": sum(r.state == "sent" for r in rows)}


def _measured(bench: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    fake, base = _start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(bench(Path(tmp), base))
        record = _record(base)
    finally:
        fake.terminate()
        fake.wait(10)
    span = record["last"] - record["first"]
    record["rate"] = (record["messages"] - 1) / span if span > 0 else float("nan")
    record["span"] = span
    return result, record


def _lines(label: str, result: dict[str, Any], record: dict[str, Any]) -> list[str]:
    sent = f"; ledger rows sent {result['sent_rows']}" if "sent_rows" in result else ""
    return [
        f"  {label}: {result['elapsed']:.1f} s; {record['rate']:.0f} msg/s at the fake over "
        f"{record['span']:.1f} s",
        f"    messages {record['messages']} to {record['hooks']} targets{sent}; 429 answers "
        f"{record['rejected']} of {record['requests']} requests (target 0); shortest gap "
        f"within a target {record['min_gap']:.2f} s (pacing {60.0 / PER_MINUTE:.0f} s)",
    ]


def run() -> list[str]:
    """Run the benchmark and return report lines."""
    one_target = (PARTS - 1) * 60.0 / PER_MINUTE
    lines = [
        f"webhook fan-out: {TARGETS} targets x {PARTS} parts, {PER_MINUTE}/min per target "
        f"(the fake refuses the {PER_MINUTE + 1}st in a minute); one target alone takes "
        f"{one_target:.0f} s"
    ]
    lines += _lines("poster alone (targets at once, each paced)", *_measured(_poster_only))
    lines += _lines("digest run (SQLite ledger: claim and mark per part)", *_measured(_bench))
    return lines
