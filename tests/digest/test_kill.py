"""kill -9 in the middle of a real fan-out, then a restart: every channel gets exactly one digest.

The bot runs as a subprocess (``python -m bot digest run``) posting through the Discord adapter's
poster to a fake Discord REST server in this process. The fake records each message when it
arrives and then holds the response, so the kill lands with messages created that the bot has
not heard about (posted, not marked sent), others claimed but not posted, and others untouched.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.digest.test_crash import start_run
from tests.fakes.discord import FakeDiscord
from tests.fakes.market import last_session_now, write_price_dir

pytestmark = pytest.mark.slow
CHANNELS = [str(900_000_000_000_000_000 + i) for i in range(30)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord(rate=50, delay=0.25).start()
    yield server
    await server.stop()


def bot_env(tmp_path: Path, db_url: str, fake: FakeDiscord) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SIGNALBOT_", "DISCORD_", "SLACK_"))
    }
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "TLT": 0.3})
    env.update(
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_PRICE_SOURCE=f"csv:{prices}",
        SIGNALBOT_DATA_DIR=str(tmp_path / "data"),
        SIGNALBOT_LOG_LEVEL="INFO",
        DISCORD_TOKEN="fake-token-for-tests",
        DISCORD_API_BASE_URL=fake.base_url,
        PYTHONPATH=os.getcwd(),
    )
    return env


@pytest.mark.parametrize("kill_after", [1, 12, 26])
async def test_kill_9_mid_fanout_then_restart_delivers_each_channel_exactly_once(
    db_url: str, tmp_path: Path, fake: FakeDiscord, kill_after: int
) -> None:
    """Kill after N messages reached the fake; a restart completes; each channel has one."""
    session = last_session_now()
    async with open_storage(db_url) as storage:
        await storage.set_watchlist("discord", "g1", ["SPY", "QQQ", "IWM", "TLT"])
        for channel in CHANNELS:
            await storage.upsert_subscription(
                "discord", "g1", channel, time=None, timezone="America/New_York"
            )
    env = bot_env(tmp_path, db_url, fake)
    log = tmp_path / "bot.log"

    first = await start_run(env, session.isoformat(), log)
    for _ in range(6000):  # poll up to ~60 s for the fan-out to reach the fake
        if len(fake.created) >= kill_after or first.returncode is not None:
            break
        await asyncio.sleep(0.01)
    first.kill()  # SIGKILL: no cleanup of any kind
    await first.wait()
    at_kill = len(fake.created)
    assert kill_after <= at_kill < len(CHANNELS), log.read_text()[-3000:]

    second = await start_run(env, session.isoformat(), log)
    out, _ = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 0, log.read_text()[-3000:]
    assert f"digest session={session}" in out.decode()

    assert fake.per_channel() == dict.fromkeys(CHANNELS, 1)  # exactly once, every channel
    assert all(c.files == 1 for c in fake.created)  # the heatmap rode along each time
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    assert len(rows) == len(CHANNELS) and {r.state for r in rows} == {"sent"}

    third = await start_run(env, session.isoformat(), log)
    out, _ = await asyncio.wait_for(third.communicate(), 120)
    assert third.returncode == 0 and " sent=0 " in out.decode()
    assert len(fake.created) == len(CHANNELS)

    for _ in range(50):  # the killed bot's heatmap worker notices within a second and exits
        if not processes_with(str(tmp_path)):
            break
        await asyncio.sleep(0.1)
    assert processes_with(str(tmp_path)) == []


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment mentions ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(") ", 1)[1][0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found
