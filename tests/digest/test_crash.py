"""Deploys and crashes mid fan-out, on Discord and Slack, with the platform's dedupe OFF.

A real ``python -m bot digest run`` posts to a fake platform in this process and is stopped
with SIGTERM (a deploy) or SIGKILL (a crash) at two points, each a point the fake's
:class:`~tests.fakes.gate.Gate` holds it at (no clock decides where the signal lands):

- ``claimed``: posts wait at the fake *before* it stores them, so deliveries are claimed in the
  ledger but nothing is on the platform (other subscriptions are not even claimed yet); after a
  kill -9 the held posts are refused, never stored (their sender is dead);
- ``posted``: the fake stores each post and then holds its *answer*, so messages are on the
  platform that the bot never heard about (posted, not marked sent).

After SIGTERM the gate opens once the bot says it lets posts in flight finish: they are stored
(``claimed``) and answered, and the bot marks them before it exits. Then the run is restarted;
every channel must hold exactly one message per part. After a SIGKILL the restart waits for the
dead claims' lease to end (their stored end: ``digest run`` waits for leases another process
holds), takes them over and asks the platform (Discord message history, Slack
``conversations.history`` with metadata) before posting.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.fakes.bot_process import bot_env
from tests.fakes.discord import FakeDiscord
from tests.fakes.gate import Gate
from tests.fakes.market import last_session_now, write_price_dir
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow
COUNT = 24
WAIT = 0.05  # polling step, seconds
BOUND = 90.0  # generous bound for anything to happen, seconds (never a sync point)
IN_FLIGHT = 3  # posts held at the gate before the signal
STOPPING = "digest stop: letting posts in flight finish"


@dataclass
class Platform:
    """One fake platform and how the bot subscribes to it."""

    name: str
    fake: FakeDiscord | FakeSlack
    channels: list[str]
    server: str
    env: dict[str, str]

    def per_part(self) -> collections.Counter[tuple[str, str]]:
        if isinstance(self.fake, FakeDiscord):
            return collections.Counter((c.channel, str(c.nonce)) for c in self.fake.created)
        return self.fake.per_part()


async def close(fake: FakeDiscord | FakeSlack) -> None:
    """Stop the fake; posts a failed test left at its gate are refused first."""
    if fake.gate is not None:
        fake.gate.open(drop=True)
    await fake.stop()


@pytest.fixture(params=["discord", "slack"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    if request.param == "discord":
        discord = await FakeDiscord(rate=50, dedupe=False).start()
        channels = [str(900_000_000_000_000_000 + i) for i in range(COUNT)]
        env = {"DISCORD_TOKEN": "fake-token-for-tests", "DISCORD_API_BASE_URL": discord.base_url}
        yield Platform("discord", discord, channels, "g1", env)
        await close(discord)
    else:
        slack = await FakeSlack().start()
        channels = [f"C{i:08d}" for i in range(COUNT)]
        env = {"SLACK_BOT_TOKEN": "xoxb-fake-token", "SLACK_API_BASE_URL": slack.api_url}
        yield Platform("slack", slack, channels, "T0", env)
        await close(slack)


async def until(
    condition: Callable[[], bool], what: str, proc: asyncio.subprocess.Process | None
) -> None:
    """Poll ``condition()`` until true; fail with ``what`` if ``proc`` exits or it never is."""
    for _ in range(int(BOUND / WAIT)):
        if condition():
            return
        if proc is not None and proc.returncode is not None:
            break
        await asyncio.sleep(WAIT)
    code = None if proc is None else proc.returncode
    raise AssertionError(f"never happened: {what} (bot exit code {code})")


async def let_go(platform: Platform, gate: Gate, *, drop: bool) -> None:
    """After the stopped process is gone: open ``gate`` (``drop``: refuse the posts not stored
    yet), wait until the fake has handled every post it had sent, then take the gate away.

    A post the process sent just before its end may reach the fake's handler only after it
    died; waiting for its last connection to close means that post met ``gate`` too, so
    nothing it sent is stored after this returns (with ``drop``) or left half done.
    """
    fake = platform.fake
    gate.open(drop=drop)
    await until(lambda: fake.connections == 0 and fake.pending == 0, "the fake idle", None)
    fake.gate = None


def count(summary: str, name: str) -> int:
    """``name=<n>`` of a run's summary line."""
    return int(summary.split(f"{name}=")[1].split()[0])


async def start_run(env: dict[str, str], session: str, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "digest", "run", "--session", session,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=out,
        )  # fmt: skip


async def end(proc: asyncio.subprocess.Process) -> None:
    """Kill ``proc`` if a failed test left it running."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


@pytest.mark.parametrize("point", ["claimed", "posted"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
async def test_stop_or_crash_then_restart_posts_each_part_exactly_once(
    db_url: str, tmp_path: Path, platform: Platform, point: str, sig: signal.Signals
) -> None:
    session = last_session_now()
    async with open_storage(db_url) as storage:
        await storage.set_watchlist(platform.name, platform.server, ["SPY", "QQQ", "IWM", "TLT"])
        for channel in platform.channels:
            await storage.upsert_subscription(
                platform.name, platform.server, channel, time=None, timezone="America/New_York"
            )
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "TLT": 0.3})
    env = bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_LOG_LEVEL="INFO",
        SIGNALBOT_DIGEST_LEASE_SECONDS="3",
        SIGNALBOT_DIGEST_STOP_SECONDS="20",
        **platform.env,
    )
    log = tmp_path / "bot.log"
    fake = platform.fake
    # claimed: posts wait before the platform stores them; posted: it stores each, then waits
    gate = fake.gate = Gate("store" if point == "claimed" else "answer")

    first = await start_run(env, session.isoformat(), log)
    try:
        await until(lambda: gate.waiting >= IN_FLIGHT, "posts held at the fake", first)
        first.send_signal(sig)
        if sig == signal.SIGTERM:  # a deploy: posts in flight finish once the bot says so
            await until(lambda: STOPPING in log.read_text(), "the bot stopping", first)
            gate.open()
        out, _ = await asyncio.wait_for(first.communicate(), BOUND)
    finally:
        await end(first)
    # after a kill -9, what the dead process left at the fake goes on to nobody: held answers
    # are sent, posts not stored yet are refused (the platform never had them)
    await let_go(platform, gate, drop=sig == signal.SIGKILL and point == "claimed")
    stored_at_stop = len(fake.created)
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    states = collections.Counter(r.state for r in rows)
    # 16 deliveries at once (the runner's concurrency): the last channels were never claimed
    assert len(rows) < len(platform.channels), "every subscription was already claimed"
    if sig == signal.SIGTERM:
        # graceful: posts in flight finished and were marked, the rest was never claimed
        assert first.returncode == 1, log.read_text()[-3000:]
        assert "stopped=yes" in out.decode(), out
        assert states == {"sent": stored_at_stop}, (states, stored_at_stop)
        assert stored_at_stop >= IN_FLIGHT
    else:
        assert first.returncode == -signal.SIGKILL
        assert set(states) == {"claimed"}, states  # nothing answered: nothing marked
        if point == "claimed":  # claimed, none on the platform
            assert stored_at_stop == 0 and states["claimed"] >= IN_FLIGHT, states
        else:  # on the platform, not in the ledger: the dangerous window
            assert states["claimed"] >= stored_at_stop >= IN_FLIGHT, (states, stored_at_stop)
    fake.history_calls = 0

    # right away: after a kill -9 the restart waits out the dead claims' lease by itself
    second = await start_run(env, session.isoformat(), log)
    try:
        out, _ = await asyncio.wait_for(second.communicate(), BOUND * 2)
    finally:
        await end(second)
    assert second.returncode == 0, log.read_text()[-3000:]
    summary = out.decode()
    assert f"digest session={session}" in summary

    per_part = platform.per_part()
    assert len(per_part) == len(platform.channels), summary
    assert set(per_part.values()) == {1}, [k for k, n in per_part.items() if n > 1]
    assert {channel for channel, _ in per_part} == set(platform.channels)
    assert len(fake.created) == len(platform.channels)
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    assert {r.state for r in rows} == {"sent"} and len(rows) == len(platform.channels)
    if sig == signal.SIGTERM:  # nothing was left uncertain: no need to ask the platform
        assert count(summary, "recovered") == 0 and fake.history_calls == 0, summary
    else:
        # each dead claim asked the platform before posting; what was stored was found there
        # (posted), not posted again; nothing was (claimed), so everything was posted once
        assert fake.history_calls >= states["claimed"], (fake.history_calls, states)
        assert count(summary, "recovered") == stored_at_stop, (summary, stored_at_stop)
