"""``signalbot run`` on Discord stopped or killed mid digest, then restarted: each part once.

A real ``python -m bot run`` with a Discord token logs in to the fake Discord
(``tests.fakes.discord``: REST login, command sync, a gateway that sends READY and
GUILD_CREATE) and runs its digest scheduler inside. The digests go to the fake's channel
routes, with nonce dedupe OFF: every POST creates a message, as after Discord's few-minutes ``enforce_nonce``
window (https://discord.com/developers/docs/resources/message#create-message: "If true and
nonce is present, it will be checked for uniqueness in the past few minutes"). So only the
delivery ledger and the recovery from the channel's history
(https://discord.com/developers/docs/resources/channel#get-channel-messages, ``after``) keep
a digest to one message per part. Prices come from a fake Tiingo. Each digest has two parts.

Where the first bot is stopped, each a point the fakes hold it at (no clock decides):

- ``before-claim``: Tiingo holds the digest's price fetch; kill -9; nothing is claimed;
- ``claimed``: posts wait at the fake before it stores them; kill -9; claimed, not on Discord;
- ``posted``: the fake stores each post and holds its answer; kill -9; on Discord, not marked;
- ``sigterm``: as ``posted``, but SIGTERM (a deploy): once the bot says it lets posts in flight
  finish, the answers go out; it marks them and exits 0.

The restart takes the dead claims over when their lease ends, asks Discord's history for each
part it takes over and posts only what is missing.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.storage import Delivery, open_storage
from signals.calendar import MarketCalendar
from signals.regimes import Regime
from tests.digest.conftest import make_signal
from tests.fakes.bot_process import bot_env, start_bot, stop_bot
from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.fakes.gate import Gate
from tests.fakes.market import last_due_session, scaled_bars
from tests.fakes.tiingo import KEY, FakeTiingo, running

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
log = logging.getLogger(__name__)

COUNT = 20  # channels
PARTS = 2  # 40 tickers that all changed regime: two Discord messages in both languages
TICKERS = [
    "SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "XLE", "XLF", "XLK", "XLV", "XLI", "XLY",
    "XLP", "XLU", "XLB", "XLRE", "XLC", "EFA", "EEM", "VTI", "VOO", "VEA", "VWO", "AGG",
    "BND", "LQD", "HYG", "SLV", "USO", "UNG", "IEF", "SHY", "TIP", "VNQ", "ARKK", "SMH",
    "SOXX", "KRE", "XBI", "GDX",
]  # fmt: skip
CHANNELS = [str(710_000_000_000_000_000 + i) for i in range(COUNT)]
WAIT = 0.05  # polling step, seconds
BOUND = 120.0  # generous bound for anything to happen, seconds (never a sync point)
IN_FLIGHT = 3  # posts (or price requests) held before the stop
FOUND = "found already posted digest "  # bot.digest.reconcile, one line per part
STOPPING = "digest stop: letting posts in flight finish"


@dataclass
class Fakes:
    """Discord (gateway, REST and channels) and Tiingo."""

    discord: FakeDiscord
    tiingo: FakeTiingo

    def per_part(self) -> collections.Counter[tuple[str, str]]:
        """Messages on Discord per (channel, part key): the key is the post's nonce."""
        return collections.Counter((c.channel, str(c.nonce)) for c in self.discord.created)


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    discord = await FakeDiscord(rate=50, dedupe=False).start()
    bars = scaled_bars({t: 0.5 + i / 20 for i, t in enumerate(TICKERS)})
    async with running(FakeTiingo(bars={t.lower(): b for t, b in bars.items()})) as tiingo:
        yield Fakes(discord, tiingo)
        if discord.gate is not None:
            discord.gate.open(drop=True)
    await discord.stop()


async def until(condition: Callable[[], bool], what: str, proc: asyncio.subprocess.Process) -> None:
    """Poll ``condition()`` until true; fail with ``what`` if the bot exits or it never is."""
    for _ in range(int(BOUND / WAIT)):
        if condition():
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(WAIT)
    raise AssertionError(f"never happened: {what} (bot exit code {proc.returncode})")


async def subscribe(db_url: str, session: date) -> None:
    """One guild's watchlist of 40 tickers, :data:`CHANNELS` subscribed, and the previous
    session's regimes recorded as neutral (every ticker changed: a digest of two parts)."""
    previous = MarketCalendar().previous_session(session)
    async with open_storage(db_url) as storage:
        await storage.set_watchlist("discord", str(GUILD_ID), TICKERS)
        for channel in CHANNELS:
            await storage.upsert_subscription(
                "discord", str(GUILD_ID), channel, time=None, timezone="America/New_York"
            )
        await storage.record_signals([make_signal(t, previous, Regime.NEUTRAL) for t in TICKERS])


async def ledger(db_url: str, session: date) -> list[Delivery]:
    async with open_storage(db_url) as storage:
        return await storage.deliveries_for(session)


@pytest.mark.parametrize("point", ["before-claim", "claimed", "posted", "sigterm"])
async def test_run_stopped_or_killed_then_restarted_posts_each_part_exactly_once(
    db_url: str, tmp_path: Path, fakes: Fakes, point: str
) -> None:
    session = last_due_session()
    await subscribe(db_url, session)
    env = bot_env(
        tmp_path,
        tmp_path,  # no CSV: the prices come from Tiingo
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_LOG_LEVEL="INFO",
        SIGNALBOT_OPS_SERVER="off",
        SIGNALBOT_DIGEST_LEASE_SECONDS="3",
        SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
        SIGNALBOT_PRICE_SOURCE="tiingo",
        TIINGO_API_KEY=KEY,
        TIINGO_API_BASE_URL=fakes.tiingo.base_url,
        DISCORD_TOKEN="fake-token-for-tests",
        DISCORD_API_BASE_URL=fakes.discord.base_url,
    )
    channels, tiingo = fakes.discord, fakes.tiingo
    gate: Gate | None = None
    if point == "before-claim":
        tiingo.hanging = {t.lower() for t in TICKERS}
    else:
        gate = channels.gate = Gate("store" if point == "claimed" else "answer")
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    began = time.monotonic()
    first = await start_bot(env, first_log)
    try:
        await stop_first(first, first_log, point, fakes, gate)
        stopped = time.monotonic()
        stored = len(channels.created)
        rows = await ledger(db_url, session)
        check_stopped(point, first, first_log, rows, stored)
        # what the fakes held is let go: price requests answered, posts not stored yet
        # dropped (their sender is dead), stored posts answered to nobody
        tiingo.hanging = set()
        tiingo.release.set()
        channels.gate = None
        if gate is not None:
            gate.open(drop=True)

        second = await start_bot(env, second_log)
        try:
            want = COUNT * PARTS
            await until(lambda: len(fakes.per_part()) >= want, "every part posted", second)
            for _ in range(int(BOUND / WAIT)):  # the last answers are marked right after
                rows = await ledger(db_url, session)
                if len(rows) == want and {r.state for r in rows} == {"sent"}:
                    break
                await asyncio.sleep(WAIT)
        finally:
            await stop_bot(second)
        done = time.monotonic()
    finally:
        await stop_bot(first)

    second_text = second_log.read_text()
    assert second.returncode == 0, second_text[-3000:]
    assert "Traceback" not in second_text and "a duplicate is possible" not in second_text
    per_part = fakes.per_part()
    duplicates = {k: n for k, n in per_part.items() if n > 1}
    lost = {(c, p) for c in CHANNELS for p in range(1, PARTS + 1)} - {
        (c, int(key.rsplit("p", 1)[1])) for c, key in per_part
    }
    recovered = second_text.count(FOUND)
    log.warning(
        "discord run %s: %d messages (%d before the stop), duplicates=%d lost=%d "
        "recovered=%d history_calls=%d; stopped at %.1f s, all sent %.1f s after",
        point, len(channels.created), stored, len(duplicates), len(lost), recovered,
        channels.history_calls, stopped - began, done - stopped,
    )  # fmt: skip
    assert not duplicates and not lost, (duplicates, lost)
    assert len(channels.created) == COUNT * PARTS
    assert len(rows) == COUNT * PARTS and {r.state for r in rows} == {"sent"}
    assert {r.parts for r in rows} == {PARTS}
    if point == "posted":  # on Discord but not in the ledger: found in the history, not re-posted
        assert recovered >= stored >= IN_FLIGHT
    else:
        assert recovered == 0
    if point in ("before-claim", "sigterm"):  # nothing was left uncertain: no need to ask
        assert channels.history_calls == 0
    else:
        assert channels.history_calls >= IN_FLIGHT


async def stop_first(
    proc: asyncio.subprocess.Process, log_path: Path, point: str, fakes: Fakes, gate: Gate | None
) -> None:
    """Wait for the point the fakes hold the first bot at, then kill it (or SIGTERM it)."""
    if gate is None:
        await until(lambda: bool(fakes.tiingo.requests), "the digest's price fetch", proc)
    else:
        await until(lambda: gate.waiting >= IN_FLIGHT, "posts held at the fake", proc)
    # the whole bot: its gateway is connected too (the fakes hold the digest meanwhile)
    await until(lambda: bool(fakes.discord.identifies), "the gateway connected", proc)
    if point != "sigterm":
        proc.send_signal(signal.SIGKILL)
    else:
        proc.send_signal(signal.SIGTERM)
        await until(lambda: STOPPING in log_path.read_text(), "the bot stopping", proc)
        assert gate is not None
        gate.open()  # the posts in flight get their answers
    await asyncio.wait_for(proc.wait(), BOUND)


def check_stopped(
    point: str,
    proc: asyncio.subprocess.Process,
    log_path: Path,
    rows: list[Delivery],
    stored: int,
) -> None:
    """What the ledger and Discord hold once the first bot is gone."""
    states = collections.Counter(r.state for r in rows)
    if point == "sigterm":  # graceful: the posts in flight finished and were marked
        text = log_path.read_text()
        assert proc.returncode == 0, text[-3000:]
        assert "Traceback" not in text and "digest scheduler stopped" in text
        assert states == {"sent": stored}, (states, stored)
        assert IN_FLIGHT <= stored < COUNT  # parts 2 and the channels not started wait
        return
    assert proc.returncode == -signal.SIGKILL
    if point == "before-claim":
        assert rows == [] and stored == 0
    elif point == "claimed":
        assert stored == 0 and states["claimed"] >= IN_FLIGHT, states
    else:  # posted: every stored message is claimed, none is marked
        assert states["sent"] == 0 and states["claimed"] >= stored >= IN_FLIGHT, states
    # 16 deliveries at once (the runner's concurrency): the last channels were never claimed
    assert len({r.subscription_id for r in rows}) < COUNT, "every channel was already claimed"
