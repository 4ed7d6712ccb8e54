"""The database goes away mid-digest and comes back: the running process retries its own claims.

A real ``signalbot run`` (Slack in HTTP mode, against the fake Slack) starts the digest of 60
channels. The fake holds 16 posts (the runner's concurrency) at a :class:`~tests.fakes.gate.Gate`:
``posted``: stored on the platform, their answer held; ``claimed``: before storing them. Then the
database goes away, and the gate opens: ``posted`` answers reach the bot, which cannot mark them;
``claimed`` posts are refused (``internal_error``, never stored) and the bot cannot mark them
failed. Either way 16 ledger rows stay ``claimed`` under the bot's own instance id:

- ``postgresql``: a private PostgreSQL server this test started is stopped (``pg_ctl stop -m
  fast``: every session is cut) and started again once the bot has failed to mark them;
- ``sqlite-locked``: another connection holds an exclusive lock on the SQLite file until the
  bot's writes have failed with "database is locked" (its busy timeout, set to 2 s here with
  ``SIGNALBOT_SQLITE_BUSY_TIMEOUT_SECONDS``; the one wait on a wall clock here, since the bot's
  timeout is what makes the write fail).

Without a restart, the same process must take them over once their lease (3 s) ends, ask Slack
(message metadata) whether they went out, mark those found and post the others: every channel
gets exactly one digest and every ledger row ends ``sent``. Before issue 19's fix the process
never took its own claims over (only a restart did): ``claimed`` channels never got their digest,
``posted`` ones stayed unmarked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.storage import Delivery, open_storage
from tests.digest.private_pg import PrivatePostgres, private_pg
from tests.digest.slack_digest import slack_env, subscribe
from tests.fakes.bot_process import start_bot, stop_bot
from tests.fakes.gate import Gate
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.slack import FakeSlack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]
log = logging.getLogger(__name__)
COUNT = 60
IN_FLIGHT = 16  # the runner's concurrency: every delivery in flight is posted, not marked
BUSY_TIMEOUT = "2"  # SIGNALBOT_SQLITE_BUSY_TIMEOUT_SECONDS: the locked writes fail in 2 s, not 30
BOUND = 180.0  # seconds for anything to happen (a bound, never a sync point)
CRASHED = "digest delivery crashed"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    if server.gate is not None:
        server.gate.open()
    await server.stop()


async def until(condition: Callable[[], bool], what: Callable[[], str]) -> None:
    """Poll ``condition`` (every 50 ms) until true; fail saying ``what()`` after BOUND."""
    for _ in range(int(BOUND / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened within {BOUND:.0f} s: {what()}")


class SqliteLock:
    """Another connection holding the SQLite file's write lock (``BEGIN EXCLUSIVE``)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)

    async def take(self) -> None:
        await asyncio.to_thread(self.conn.execute, "BEGIN EXCLUSIVE")

    async def give_back(self) -> None:
        await asyncio.to_thread(self.conn.execute, "ROLLBACK")
        await asyncio.to_thread(self.conn.close)


@pytest.mark.parametrize(
    ("backend", "point"),
    [("postgresql", "claimed"), ("postgresql", "posted"), ("sqlite-locked", "claimed")],
)
async def test_database_gone_mid_digest_every_channel_gets_it_once_without_restart(
    backend: str, point: str, tmp_path: Path, fake: FakeSlack
) -> None:
    async with contextlib_pg(backend) as pg:
        url = pg.url if pg is not None else f"sqlite:///{tmp_path / 'signalbot.db'}"
        session = last_due_session()
        channels = [f"C{i:08d}" for i in range(COUNT)]
        await subscribe(url, channels, ["SPY", "QQQ", "IWM", "TLT"])
        prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0})
        env = slack_env(
            tmp_path,
            prices,
            url,
            fake.api_url,
            lease="3",
            SIGNALBOT_SQLITE_BUSY_TIMEOUT_SECONDS=BUSY_TIMEOUT,  # the locked writes fail sooner
        )
        bot_log = tmp_path / "bot.log"
        gate = fake.gate = Gate("answer" if point == "posted" else "store")
        bot = await start_bot(env, bot_log)
        try:

            def text() -> str:
                return bot_log.read_text()

            def tail() -> str:
                return text()[-3000:]

            await until(lambda: gate.waiting >= IN_FLIGHT, lambda: f"posts in flight\n{tail()}")
            if pg is not None:
                await pg.stop()
                restore: Callable[[], Awaitable[None]] = pg.start
            else:
                lock = SqliteLock(tmp_path / "signalbot.db")
                await lock.take()
                restore = lock.give_back
            gate.open(drop=point == "claimed")  # the bot cannot mark what became of them
            fake.gate = None  # the held posts keep their gate; later posts meet none
            await until(
                lambda: text().count(CRASHED) >= IN_FLIGHT,
                lambda: f"the bot failing to mark its posts\n{tail()}",
            )
            await restore()
            at_outage = len(fake.per_channel())

            rows: list[Delivery] = []

            def done() -> bool:
                return len(rows) == COUNT and {r.state for r in rows} == {"sent"}

            def delivered() -> str:
                got = len(fake.per_channel())
                extra = sum(n - 1 for n in fake.per_part().values())
                unsent = sum(r.state != "sent" for r in rows)
                return (
                    f"channels delivered {got}/{COUNT}, duplicates {extra}, "
                    f"ledger rows not sent {unsent}\n{tail()}"
                )

            async with open_storage(url) as storage:
                for _ in range(int(BOUND / 0.2)):
                    rows = await storage.deliveries_for(session)
                    if done():
                        break
                    await asyncio.sleep(0.2)
            assert done() and len(fake.per_channel()) == COUNT, delivered()
            per_part = fake.per_part()
            duplicates = sum(n - 1 for n in per_part.values())
            log.warning(
                "database outage (%s): %d channels on the platform at the outage; "
                "after: channels delivered %d/%d, duplicates %d",
                backend, at_outage, len(fake.per_channel()), COUNT, duplicates,
            )  # fmt: skip
            assert duplicates == 0, [k for k, n in per_part.items() if n > 1]
            assert len(per_part) == COUNT
            assert {r.state for r in rows} == {"sent"} and len(rows) == COUNT, tail()
            if point == "posted":
                assert "found already posted" in text()  # asked Slack, did not post again
            assert bot.returncode is None, "the bot stopped: it must recover while running"
        finally:
            await stop_bot(bot)


def contextlib_pg(backend: str) -> AbstractAsyncContextManager[PrivatePostgres | None]:
    """The private PostgreSQL server for ``postgresql``; nothing for SQLite."""
    if backend == "postgresql":
        return private_pg()
    return contextlib.nullcontext(None)
