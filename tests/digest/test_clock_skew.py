"""A process whose clock runs 90 s ahead cannot take over a live claim: one clock for leases.

On PostgreSQL a real ``signalbot run`` (the digest leader, Slack in HTTP mode against the fake
Slack) claims every channel's digest; the fake holds each post before storing it (a
:class:`~tests.fakes.gate.Gate`), so the leader's claims are live, renewed by its heartbeat,
and nothing is on the platform yet. Then ``signalbot digest run`` starts beside it with its
clock moved 90 s ahead by libfaketime. Leases are judged by the database's clock (``now()``),
so it sees every claim held and waits for their leases, which never end while the leader
works. Judged by its own clock (before issue 19's fix) they had all ended: it took them over,
asked Slack (nothing there yet) and posted them again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.digest.slack_digest import slack_env, subscribe
from tests.fakes.bot_process import start_bot, stop_bot
from tests.fakes.gate import Gate
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.slack import FakeSlack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
log = logging.getLogger(__name__)
COUNT = 10  # under the runner's concurrency: the leader claims them all at once
BOUND = 120.0
SKEW = "+90s"
#: libfaketime's library (``dpkg -L libfaketime``); ``SIGNALBOT_TEST_FAKETIME_LIB`` overrides.
FAKETIME_LIB = Path(
    os.environ.get(
        "SIGNALBOT_TEST_FAKETIME_LIB", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    )
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    if server.gate is not None:
        server.gate.open()
    await server.stop()


async def until(condition: object, what: object) -> None:
    for _ in range(int(BOUND / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened within {BOUND:.0f} s: {what()}")  # type: ignore[operator]


async def test_a_clock_90_s_ahead_never_takes_over_a_live_claim(
    db_url: str, tmp_path: Path, fake: FakeSlack
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process by design: its clock is the database's")
    if not await asyncio.to_thread(FAKETIME_LIB.exists):
        pytest.skip(f"libfaketime is not installed ({FAKETIME_LIB}; apt-get install faketime)")
    session = last_due_session()
    channels = [f"C{i:08d}" for i in range(COUNT)]
    await subscribe(db_url, channels, ["SPY", "QQQ", "IWM"])
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0})
    env = slack_env(tmp_path, prices, db_url, fake.api_url, lease="2")
    skewed = dict(
        env,
        LD_PRELOAD=str(FAKETIME_LIB),
        FAKETIME=SKEW,
        FAKETIME_DONT_FAKE_MONOTONIC="1",  # asyncio's timeouts keep real time
    )
    leader_log, skewed_log = tmp_path / "leader.log", tmp_path / "skewed.log"
    gate = fake.gate = Gate("store")  # claimed, not on the platform yet
    leader = await start_bot(env, leader_log)
    other = None
    try:
        await until(lambda: gate.waiting >= COUNT, lambda: leader_log.read_text()[-3000:])
        with skewed_log.open("ab") as out:
            other = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "digest", "run", "--session", session.isoformat(),
                env=skewed, stdout=out, stderr=out,
            )  # fmt: skip
        # it either posts the leader's claims again (held at the gate beside the leader's) or
        # waits for leases that never end and gives up
        await until(
            lambda: other.returncode is not None or gate.waiting >= 2 * COUNT,
            lambda: skewed_log.read_text()[-3000:],
        )
        gate.open()
        await asyncio.wait_for(other.wait(), BOUND)
        await until(
            lambda: len(fake.per_channel()) == COUNT, lambda: leader_log.read_text()[-3000:]
        )
        async with open_storage(db_url) as storage:
            for _ in range(200):  # the leader marks its posts right after the answers
                rows = await storage.deliveries_for(session)
                if len(rows) == COUNT and {r.state for r in rows} == {"sent"}:
                    break
                await asyncio.sleep(0.1)
        per_part = fake.per_part()
        duplicates = sum(n - 1 for n in per_part.values())
        log.warning(
            "clock %s beside the leader: channels delivered %d/%d, duplicates %d",
            SKEW, len(fake.per_channel()), COUNT, duplicates,
        )  # fmt: skip
        assert duplicates == 0, (
            f"{duplicates} duplicate posts of {COUNT} channels\n{skewed_log.read_text()[-3000:]}"
        )
        assert {r.state for r in rows} == {"sent"} and len(rows) == COUNT
    finally:
        if other is not None and other.returncode is None:
            other.kill()
            await other.wait()
        await stop_bot(leader)
