"""Deploys and crashes mid fan-out, on Discord and Slack, with the platform's dedupe OFF.

A real ``python -m bot digest run`` posts to a fake platform in this process and is stopped
with SIGTERM (a deploy) or SIGKILL (a crash) at two points:

- ``claimed``: the fake holds every post *before* storing it, so deliveries are claimed in the
  ledger but nothing is on the platform (other subscriptions are not even claimed yet);
- ``posted``: the fake stores each post and then holds its *answer*, so messages are on the
  platform that the bot never heard about (posted, not marked sent).

Then the run is restarted; every channel must hold exactly one message per part. After a
SIGKILL the restart takes the dead claims over when their lease ends and asks the platform
(Discord message history, Slack ``conversations.history`` with metadata) before posting.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.digest.fake_discord import FakeDiscord
from tests.digest.fake_slack import FakeSlackDigest
from tests.support import bot_env, last_session_now, write_price_dir

pytestmark = pytest.mark.slow
COUNT = 24
WAIT = 0.05  # polling step, seconds
BOUND = 90.0  # generous bound for anything to happen, seconds


@dataclass
class Platform:
    """One fake platform and how the bot subscribes to it."""

    name: str
    fake: FakeDiscord | FakeSlackDigest
    channels: list[str]
    server: str
    env: dict[str, str]

    def per_part(self) -> collections.Counter[tuple[str, str]]:
        if isinstance(self.fake, FakeDiscord):
            return collections.Counter((c.channel, str(c.nonce)) for c in self.fake.created)
        return self.fake.per_part()


@pytest.fixture(params=["discord", "slack"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    if request.param == "discord":
        discord = await FakeDiscord(rate=50, dedupe=False).start()
        channels = [str(900_000_000_000_000_000 + i) for i in range(COUNT)]
        env = {"DISCORD_TOKEN": "fake-token-for-tests", "DISCORD_API_BASE_URL": discord.url}
        yield Platform("discord", discord, channels, "g1", env)
        await discord.stop()
    else:
        slack = await FakeSlackDigest().start()
        channels = [f"C{i:08d}" for i in range(COUNT)]
        env = {"SLACK_BOT_TOKEN": "xoxb-fake-token", "SLACK_API_BASE_URL": slack.url}
        yield Platform("slack", slack, channels, "T0", env)
        await slack.stop()


async def until(condition: object, what: str, proc: asyncio.subprocess.Process) -> None:
    """Poll ``condition()`` until true (generous bound); fail with ``what`` otherwise."""
    for _ in range(int(BOUND / WAIT)):
        if condition():  # type: ignore[operator]
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(WAIT)
    raise AssertionError(f"never happened: {what} (bot exit code {proc.returncode})")


async def start_run(env: dict[str, str], session: str, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "digest", "run", "--session", session,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=out,
        )  # fmt: skip


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
    if point == "claimed":
        fake.hold = 1.5  # posts wait before the platform stores them
    else:
        fake.delay = 1.5  # the platform stores each post, then waits before answering

    first = await start_run(env, session.isoformat(), log)
    if point == "claimed":
        await until(lambda: fake.pending >= 3 and not fake.created, "posts in flight", first)
    else:
        await until(lambda: len(fake.created) >= 3 and fake.pending >= 1, "unanswered", first)
    first.send_signal(sig)
    await asyncio.wait_for(first.wait(), BOUND)
    stored_at_stop = len(fake.created)
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    states = collections.Counter(r.state for r in rows)
    assert len(rows) < len(platform.channels), "some subscriptions were never claimed"
    if sig == signal.SIGTERM:
        # graceful: posts in flight finished and were marked, nothing is left claimed
        assert first.returncode == 1, log.read_text()[-3000:]
        assert states["claimed"] == 0 and states["sent"] == stored_at_stop, states
    else:
        assert first.returncode == -signal.SIGKILL
        assert states["claimed"] > 0
        if point == "posted":  # on the platform, not in the ledger: the dangerous window
            assert states["sent"] < stored_at_stop, (states, stored_at_stop)

    fake.hold = fake.delay = 0.0
    second = await start_run(env, session.isoformat(), log)
    out, _ = await asyncio.wait_for(second.communicate(), BOUND * 2)
    assert second.returncode == 0, log.read_text()[-3000:]
    summary = out.decode()
    assert f"digest session={session}" in summary

    per_part = platform.per_part()
    assert len(per_part) == len(platform.channels), summary
    assert set(per_part.values()) == {1}, [k for k, n in per_part.items() if n > 1]
    assert {channel for channel, _ in per_part} == set(platform.channels)
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    assert {r.state for r in rows} == {"sent"} and len(rows) == len(platform.channels)
    if sig == signal.SIGKILL and point == "posted":
        recovered = int(summary.split("recovered=")[1].split()[0])
        assert recovered >= 1, summary  # found on the platform, not posted again
        assert fake.history_calls >= 1
