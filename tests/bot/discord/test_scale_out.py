"""Two real ``signalbot run`` processes on one PostgreSQL: shards split, kill -9 taken over.

The fake Discord routes each guild's events only to the socket identified with the guild's
shard, so a shard connected twice would answer twice (40060) and a shard nobody holds would
leave the event undelivered.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.bot_process import bot_env
from tests.fakes.discord import GUILD_ID, GUILD_ID_2, FakeDiscord, interaction, option

log = logging.getLogger(__name__)
HELD = re.compile(r"discord shards held=\[([\d, ]*)\] of 2")


def held(path: Path) -> set[int] | None:
    """The shards a process last said it holds (from its log), or None before it said so."""
    found = HELD.findall(path.read_text(errors="replace")) if path.exists() else []
    return {int(x) for x in found[-1].split(",") if x.strip()} if found else None


async def until(condition, within: float) -> None:
    """Poll ``condition`` until it holds or ``within`` seconds pass (TimeoutError)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.1)


async def answered_once(fake: FakeDiscord, guild_id: int) -> None:
    """Send a /signal from ``guild_id`` through the gateway; exactly one callback answers it."""
    payload = interaction("signal", option("ticker", "IWM"), guild_id=guild_id)
    assert await fake.dispatch("INTERACTION_CREATE", payload) == 1  # one socket got it
    await fake.wait_for(
        lambda r: payload["id"] in r.path and r.path.endswith("/callback"), within=30
    )
    callbacks = fake.calls("POST", rf"/interactions/{payload['id']}/")
    assert len(callbacks) == 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_processes_split_the_shards_and_take_over_after_kill_9(
    db_url: str, tmp_path: Path, prices: Path, fake: FakeDiscord
) -> None:
    """Both processes serve one shard each, every interaction is answered exactly once with no
    error logged; after kill -9 of one, the other connects its shard within 60 s."""
    fake.guild_ids = [GUILD_ID, GUILD_ID_2]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = []
    for i, path in enumerate(logs):
        env = bot_env(
            tmp_path / f"p{i}",
            prices,
            SIGNALBOT_DATABASE_URL=db_url,
            SIGNALBOT_LOG_LEVEL="INFO",
            SIGNALBOT_HTTP_PORT="0",  # any free port: two bots here, more in other workers
            SIGNALBOT_SIGNAL_COOLDOWN_SECONDS="0",
            DISCORD_TOKEN="test-token",
            DISCORD_API_BASE_URL=fake.base_url,
            DISCORD_SHARD_COUNT="2",
        )
        with path.open("wb") as out:
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", env=env, stdout=out, stderr=out
                )
            )
    try:

        def split() -> bool:
            a, b = held(logs[0]), held(logs[1])
            return (
                a is not None and b is not None and len(a) == 1 and len(b) == 1
                and a != b and fake.shards_connected() == {0: 1, 1: 1}
            )  # fmt: skip

        await until(split, within=90)
        for _ in range(3):
            for guild in (GUILD_ID, GUILD_ID_2):
                await answered_once(fake, guild)
        assert not fake.undelivered

        victim = 0 if held(logs[0]) == {1} else 1
        survivor = 1 - victim
        identifies = len(fake.identifies)
        killed_at = time.monotonic()
        procs[victim].send_signal(signal.SIGKILL)
        await procs[victim].wait()
        await until(
            lambda: len(fake.identifies) > identifies and fake.shards_connected() == {0: 1, 1: 1},
            within=60,
        )
        takeover = time.monotonic() - killed_at
        log.warning("shard takeover after kill -9: %.1f s", takeover)
        assert held(logs[survivor]) == {0, 1}
        for guild in (GUILD_ID, GUILD_ID_2):
            await answered_once(fake, guild)
        assert not fake.undelivered
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
    for path in logs:
        text = path.read_text(errors="replace")
        assert " ERROR " not in text and "Traceback" not in text, text[-4000:]
        assert "40060" not in text
