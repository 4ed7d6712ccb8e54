"""Regime alerts through crashes, on Discord and Slack, with the platform's dedupe OFF.

A real alert run (``tests.bot.alert_child``: the bot's own posters and clients from the
environment) posts the grouped alerts of the worked example to a fake platform in this process
and is killed with SIGKILL at two points:

- ``claimed``: the fake holds the post *before* storing it: the first channel's alerts are
  claimed in the ledger, nothing is on the platform yet (the held request may still be stored
  after the kill, as a real server may process a request whose client died);
- ``posted``: the fake stores the post and then holds its *answer*: the message is on the
  platform, the ledger still says ``claimed`` (posted, not marked sent).

A restart after the dead claims' lease has ended takes them over and asks the platform first
(Discord: the bot's messages after the claim; Slack: ``conversations.history`` with metadata,
as the digest does): every channel ends with exactly one alert message, and a third run posts
nothing.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.digest.fake_discord import FakeDiscord
from tests.digest.fake_slack import FakeSlackDigest
from tests.digest.test_crash import BOUND, Platform, until
from tests.support import WORKED_SESSION, bot_env

pytestmark = pytest.mark.slow
LEASE = 1.0  # seconds: the restart comes after the dead claims' lease has ended
#: How long the fake holds the post or its answer: the kill (polled every 50 ms) lands inside.
HOLD = 5.0
#: (ticker, channel index): IWM and SPY change on the same session in the first channel, so
#: they share one message; the second channel has IWM alone.
ALERTS = (("IWM", 0), ("SPY", 0), ("IWM", 1))


@pytest.fixture(params=["discord", "slack"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    if request.param == "discord":
        discord = await FakeDiscord(rate=50, dedupe=False).start()
        channels = ["910000000000000001", "910000000000000002"]
        env = {"DISCORD_TOKEN": "fake-token-for-tests", "DISCORD_API_BASE_URL": discord.url}
        yield Platform("discord", discord, channels, "g1", env)
        await discord.stop()
    else:
        slack = await FakeSlackDigest().start()
        env = {"SLACK_BOT_TOKEN": "xoxb-fake-token", "SLACK_API_BASE_URL": slack.url}
        yield Platform("slack", slack, ["C00000001", "C00000002"], "T0", env)
        await slack.stop()


def per_channel(platform: Platform) -> collections.Counter[str]:
    return platform.fake.per_channel()


async def child(env: dict[str, str], db_url: str, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bot.alert_child", db_url, str(LEASE),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=err,
        )  # fmt: skip


async def finish(proc: asyncio.subprocess.Process, log: Path) -> str:
    out, _ = await asyncio.wait_for(proc.communicate(), BOUND)
    text = await asyncio.to_thread(log.read_text)
    assert proc.returncode == 0 and "Traceback" not in text, text[-3000:]
    return out.decode()


def count(summary: str, name: str) -> int:
    return int(summary.split(f"{name}=")[1].split()[0])


@pytest.mark.parametrize("point", ["claimed", "posted"])
async def test_kill_9_around_an_alert_post_then_restart_posts_exactly_once(
    db_url: str, tmp_path: Path, platform: Platform, point: str
) -> None:
    async with open_storage(db_url) as storage:
        for ticker, index in ALERTS:
            channel = platform.channels[index]
            await storage.add_alert(
                platform.name, platform.server, channel, ticker, user_id="u1", limit=50
            )
    env = bot_env(tmp_path, tmp_path, SIGNALBOT_LOG_LEVEL="INFO", **platform.env)
    log = tmp_path / "alerts.log"
    fake = platform.fake
    if point == "claimed":
        fake.hold = HOLD  # the post waits before the platform stores it
    else:
        fake.delay = HOLD  # the platform stores the post, then waits before answering

    first = await child(env, db_url, log)
    if point == "claimed":
        await until(lambda: fake.pending >= 1, "a post in flight", first)
        assert not fake.created
    else:
        await until(lambda: len(fake.created) >= 1 and fake.pending >= 1, "unanswered", first)
    first.send_signal(signal.SIGKILL)
    await asyncio.wait_for(first.wait(), BOUND)
    assert first.returncode == -signal.SIGKILL
    async with open_storage(db_url) as storage:
        states = collections.Counter(
            s for s, _ in (await storage.alert_states(WORKED_SESSION)).values()
        )
    assert states == {"claimed": 2}, states  # the first channel's two alerts, never marked

    fake.hold = fake.delay = 0.0
    # the request the dead process left in flight ends first (stored or dropped: a server may
    # do either with a request whose client died), then the restart comes after the lease
    for _ in range(int(BOUND / 0.05)):
        if fake.pending == 0:
            break
        await asyncio.sleep(0.05)
    on_platform = len(fake.created)
    await asyncio.sleep(LEASE * 1.5)  # nobody renews the dead claims now
    summary = await finish(await child(env, db_url, log), log)
    assert per_channel(platform) == {c: 1 for c in platform.channels}, (summary, point)
    assert count(summary, "sent") == len(ALERTS), summary
    assert fake.history_calls >= 1, summary  # the retried claims asked the platform first
    if on_platform:  # found there, not posted again
        assert count(summary, "recovered") == 2, summary
    else:  # asked, not found: posted once
        assert point == "claimed" and count(summary, "recovered") == 0, summary

    again = await finish(await child(env, db_url, log), log)
    assert count(again, "sent") == 0 and count(again, "messages") == 0, again
    assert per_channel(platform) == {c: 1 for c in platform.channels}
    async with open_storage(db_url) as storage:
        final = await storage.alert_states(WORKED_SESSION)
    assert {s for s, _ in final.values()} == {"sent"} and len(final) == len(ALERTS)
