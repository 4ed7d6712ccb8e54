"""Two ``signalbot run`` processes on PostgreSQL (on SQLite: one, restarted); the digest leader
is killed mid fan-out.

Both bots run the Slack adapter in HTTP mode against the fake Slack (dedupe is impossible on
Slack: no idempotency key). The first holds the advisory lock and starts the fan-out; the fake
stores each post and holds its answer, so the kill -9 lands with messages posted but not marked.
The standby takes the lock, waits out the dead leader's leases, asks Slack (message metadata)
for each unfinished part and posts only what is missing: exactly one message per channel.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.bot.ops.conftest import get
from tests.digest.slack_digest import slack_env, subscribe
from tests.fakes.bot_process import start_bot, stop_bot
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.slack import FakeSlack
from tests.support import logged_port

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
COUNT = 30
BOUND = 150.0  # seconds; the first tick comes on the next minute


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack(delay=0.6).start()
    yield server
    await server.stop()


async def until(condition: object, what: str, seconds: float = BOUND) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened within {seconds:.0f} s: {what}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
async def test_leader_stopped_mid_fanout_standby_completes_exactly_once(
    db_url: str, tmp_path: Path, fake: FakeSlack, sig: signal.Signals
) -> None:
    """kill -9: the standby waits out the leases and recovers; SIGTERM (a deploy): the leader
    finishes its posts in flight, gives the lock up, and the standby posts the rest."""
    pg = db_url.startswith("postgresql")  # SQLite runs one process: the "standby" restarts
    session = last_due_session()
    channels = [f"C{i:08d}" for i in range(COUNT)]
    await subscribe(db_url, channels, ["SPY", "QQQ", "IWM", "TLT"])
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "TLT": 0.3})

    env = slack_env(tmp_path, prices, db_url, fake.api_url, lease="5")  # HTTP on any free port

    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    leader = await start_bot(env, leader_log)
    standby = None
    try:
        await until(lambda: "digest leader now" in leader_log.read_text(), "leader elected")
        await until(lambda: logged_port(leader_log) is not None, "leader listening")
        health, _ = await get(f"http://127.0.0.1:{logged_port(leader_log)}/healthz")
        assert health == 200  # SIGNALBOT_HTTP_PORT=0: the port the OS gave, read from the log
        if pg:
            standby = await start_bot(env, standby_log)
            await until(lambda: "digest scheduler started" in standby_log.read_text(), "standby")
        await until(lambda: len(fake.created) >= 4 and fake.pending >= 1, "fan-out under way")
        leader.send_signal(sig)
        killed_at = time.monotonic()
        # counted at the signal: after it, a SIGTERM'd leader finishes its posts in flight and a
        # running standby may take over (and even finish) before the leader has exited
        assert len(fake.created) < COUNT, "the fan-out finished before the stop"
        await asyncio.wait_for(leader.wait(), 60)
        if not pg:  # a restart of the only process (same host, maybe the same pid)
            standby = await start_bot(env, standby_log)
        at_exit = len(fake.created)
        if at_exit < COUNT:
            await until(lambda: len(fake.created) > at_exit, "standby posts")
        takeover = time.monotonic() - killed_at
        await until(lambda: len(fake.per_channel()) == COUNT, "every channel served")
        done = time.monotonic() - killed_at
        log.warning("digest takeover: first post %.1f s after %s, all done at %.1f s",
                    takeover, sig.name, done)  # fmt: skip
        assert takeover < 60, f"takeover took {takeover:.1f} s"

        async with open_storage(db_url) as storage:
            for _ in range(200):  # the standby marks its last posts right after the answers
                rows = await storage.deliveries_for(session)
                if len(rows) == COUNT and {r.state for r in rows} == {"sent"}:
                    break
                await asyncio.sleep(0.1)
        assert {r.state for r in rows} == {"sent"}, standby_log.read_text()[-3000:]
        per_part = fake.per_part()
        assert set(per_part.values()) == {1}, [k for k, n in per_part.items() if n > 1]
        assert len(per_part) == COUNT
        if sig == signal.SIGKILL:
            assert "marked sent" in standby_log.read_text()  # recovered, not re-posted
        else:
            assert leader.returncode == 0, leader_log.read_text()[-3000:]
            assert "Traceback" not in leader_log.read_text()
            assert "digest scheduler stopped" in leader_log.read_text()
    finally:
        for proc in (leader, standby):
            if proc is not None:
                await stop_bot(proc)
