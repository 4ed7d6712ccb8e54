"""Regime alerts through crashes, on Discord and Slack, with the platform's dedupe OFF.

A real alert run (``tests.bot.alert_child``: the bot's own posters and clients from the
environment) posts the grouped alerts of the worked example to a fake platform in this process
and is killed with SIGKILL at two points, each a point the fake's
:class:`~tests.fakes.gate.Gate` holds it at (no clock decides where the kill lands):

- ``claimed``: the post waits at the fake *before* it is stored: the first channel's alerts are
  claimed in the ledger, nothing is on the platform; after the kill the held post is refused,
  never stored (its sender is dead);
- ``posted``: the fake stores the post and then holds its *answer*: the message is on the
  platform, the ledger still says ``claimed`` (posted, not marked sent).

A restart once the dead claims' lease has ended (by the lease end stored in the ledger) takes
them over and asks the platform first (Discord: the bot's messages after the claim; Slack:
``conversations.history`` with metadata, as the digest does): at ``claimed`` it finds nothing
and posts, at ``posted`` it finds the message and marks it sent. Every channel ends with exactly
one alert message, and a third run posts nothing.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage import open_storage
from bot.storage.models import alert_deliveries
from tests.digest.test_crash import BOUND, WAIT, Platform, close, count, end, let_go, until
from tests.fakes.bot_process import bot_env
from tests.fakes.discord import FakeDiscord
from tests.fakes.gate import Gate
from tests.fakes.market import WORKED_SESSION
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow
LEASE = 1.0  # seconds: the alert run's lease (the restart comes after it has ended)
#: (ticker, channel index): IWM and SPY change on the same session in the first channel, so
#: they share one message; the second channel has IWM alone.
ALERTS = (("IWM", 0), ("SPY", 0), ("IWM", 1))


@pytest.fixture(params=["discord", "slack"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    if request.param == "discord":
        discord = await FakeDiscord(rate=50, dedupe=False).start()
        channels = ["910000000000000001", "910000000000000002"]
        env = {"DISCORD_TOKEN": "fake-token-for-tests", "DISCORD_API_BASE_URL": discord.base_url}
        yield Platform("discord", discord, channels, "g1", env)
        await close(discord)
    else:
        slack = await FakeSlack().start()
        env = {"SLACK_BOT_TOKEN": "xoxb-fake-token", "SLACK_API_BASE_URL": slack.api_url}
        yield Platform("slack", slack, ["C00000001", "C00000002"], "T0", env)
        await close(slack)


def per_channel(platform: Platform) -> collections.Counter[str]:
    return platform.fake.per_channel()


async def child(env: dict[str, str], db_url: str, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bot.alert_child", db_url, str(LEASE),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=err,
        )  # fmt: skip


async def finish(proc: asyncio.subprocess.Process, log: Path) -> str:
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), BOUND)
    finally:
        await end(proc)
    text = await asyncio.to_thread(log.read_text)
    assert proc.returncode == 0 and "Traceback" not in text, text[-3000:]
    return out.decode()


async def leases_running(db_url: str) -> int:
    """Alert claims whose lease has not ended: the claim's own test (``claimed_until < now``,
    on the storage clock every process shares) says another instance may not take them yet."""
    c = alert_deliveries.c
    async with open_storage(db_url) as storage:
        query = (
            select(func.count())
            .select_from(alert_deliveries)
            .where(c.state == "claimed", c.claimed_until >= storage.now())
        )
        async with storage.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())


async def leases_ended(db_url: str) -> None:
    """Wait until no claim's lease is still running (nobody renews the dead ones)."""
    for _ in range(int(BOUND / WAIT)):
        if not await leases_running(db_url):
            return
        await asyncio.sleep(WAIT)
    raise AssertionError(f"the dead claims' lease never ended ({LEASE} s)")


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
    # claimed: the post waits before the platform stores it; posted: it is stored, then waits
    gate = fake.gate = Gate("store" if point == "claimed" else "answer")

    first = await child(env, db_url, log)
    try:
        await until(lambda: gate.waiting >= 1, "the first channel's post held", first)
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), BOUND)
    finally:
        await end(first)
    assert first.returncode == -signal.SIGKILL
    # the post the dead process left at the fake: refused unstored (claimed), or its answer
    # goes to nobody (posted)
    await let_go(platform, gate, drop=point == "claimed")
    on_platform = per_channel(platform)
    if point == "claimed":
        assert not on_platform, on_platform
    else:  # the first channel's one message (its two alerts), the second not started
        assert on_platform == {platform.channels[0]: 1}, on_platform
    async with open_storage(db_url) as storage:
        states = collections.Counter(
            s for s, _ in (await storage.alert_states(WORKED_SESSION)).values()
        )
    assert states == {"claimed": 2}, states  # the first channel's two alerts, never marked

    await leases_ended(db_url)
    summary = await finish(await child(env, db_url, log), log)
    assert per_channel(platform) == {c: 1 for c in platform.channels}, (summary, point)
    assert count(summary, "sent") == len(ALERTS), summary
    assert fake.history_calls >= 1, summary  # the retried claims asked the platform first
    if point == "posted":  # found there, marked sent, not posted again; the second channel's
        assert count(summary, "recovered") == 2 and count(summary, "messages") == 1, summary
    else:  # asked, not found: both channels posted once
        assert count(summary, "recovered") == 0 and count(summary, "messages") == 2, summary

    again = await finish(await child(env, db_url, log), log)
    assert count(again, "sent") == 0 and count(again, "messages") == 0, again
    assert per_channel(platform) == {c: 1 for c in platform.channels}
    async with open_storage(db_url) as storage:
        final = await storage.alert_states(WORKED_SESSION)
    assert {s for s, _ in final.values()} == {"sent"} and len(final) == len(ALERTS)
