"""``signalbot run`` serving a JSON webhook target (a real subprocess against the local fake):
its digest is posted once when due; killed (kill -9) before the post or after the mark, then
restarted, the receiver still has exactly one message.

Where the first bot dies, each a point the fake holds it at (no clock decides):

- ``before-post``: the post waits at the fake before it is stored; kill -9; the fake drops it
  (never stored). The restart takes the dead claim over when its lease ends and, unable to ask
  a webhook what it got, posts once and logs that a duplicate is possible (it is not, here).
- ``after-mark``: the ledger says sent; kill -9. The restart's run finds it sent: nothing posted.

Between the post and the mark nobody can ask a webhook what it received: that window is what
the README's note and the JSON kind's ``Idempotency-Key`` are about (tests/bot/webhooks/
test_delivery.py shows the key stays the same on the retry).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage import Delivery, open_storage
from tests.bot.webhooks.conftest import add_target
from tests.fakes.bot_process import bot_env, start_bot, stop_bot
from tests.fakes.gate import Gate
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.webhooks import FakeWebhooks

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
WAIT = 0.05  # polling step, seconds
BOUND = 120.0  # generous bound for anything to happen (never a sync point)
SECRET = "whsec-run-test"
RAN = "digest run sessions="


def _tail(log: Path) -> str:
    """The log's last lines without the scheduler's job chatter."""
    lines = log.read_text().splitlines()
    return "\n".join(line for line in lines if "apscheduler" not in line)[-4000:]


async def until(
    condition: Callable[[], bool], what: str, proc: asyncio.subprocess.Process, log: Path
) -> None:
    for _ in range(int(BOUND / WAIT)):
        if condition():
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(WAIT)
    raise AssertionError(f"never happened: {what} (bot exit code {proc.returncode})\n{_tail(log)}")


async def ledger(db_url: str) -> list[Delivery]:
    async with open_storage(db_url) as storage:
        return await storage.deliveries_for(last_due_session())


@pytest.mark.parametrize("point", ["before-post", "after-mark"])
async def test_killed_before_the_post_or_after_the_mark_one_message(
    db_url: str, tmp_path: Path, fake: FakeWebhooks, point: str
) -> None:
    session = last_due_session()
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0}, end=session)
    async with open_storage(db_url) as storage:
        await add_target(
            storage, "json", fake.json_hook("ops", secret=SECRET), secret=SECRET, language="zh"
        )
    env = bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_LOG_LEVEL="DEBUG",
        SIGNALBOT_OPS_SERVER="off",
        SIGNALBOT_DIGEST_LEASE_SECONDS="3",
        SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
    )
    gate = fake.gate = Gate("store") if point == "before-post" else None
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = await start_bot(env, first_log)
    try:
        if gate is not None:
            await until(
                lambda: gate.waiting >= 1, "the post reached the receiver", first, first_log
            )
        else:
            sent: list[bool] = []

            async def poll() -> None:
                rows = await ledger(db_url)
                sent.append(bool(rows) and rows[0].state == "sent")

            for _ in range(int(BOUND / WAIT)):
                await poll()
                if sent[-1] or first.returncode is not None:
                    break
                await asyncio.sleep(WAIT)
            assert sent and sent[-1], first_log.read_text()[-3000:]
        first.kill()  # kill -9
        await first.wait()
    finally:
        await stop_bot(first)
    if gate is not None:
        gate.open(drop=True)  # the dead sender's post is never stored
        fake.gate = None
    stored = len(fake.messages)
    assert stored == (0 if point == "before-post" else 1)

    second = await start_bot(env, second_log)
    try:
        if point == "before-post":
            await until(lambda: len(fake.messages) >= 1, "the digest posted", second, second_log)
            for _ in range(int(BOUND / WAIT)):
                rows = await ledger(db_url)
                if rows and rows[0].state == "sent":
                    break
                await asyncio.sleep(WAIT)
        else:
            await until(
                lambda: RAN in second_log.read_text(), "the restart's run", second, second_log
            )
    finally:
        await stop_bot(second)
    text = second_log.read_text()
    assert second.returncode == 0, text[-3000:]
    assert "Traceback" not in text and "/json/ops" not in text and SECRET not in text
    [message] = fake.of("ops")
    assert message.body["type"] == "digest" and message.body["session"] == session.isoformat()
    assert message.body["language"] == "zh"
    rows = await ledger(db_url)
    assert [r.state for r in rows] == ["sent"]
    duplicate_warnings = text.count("a duplicate is possible")
    assert duplicate_warnings == (1 if point == "before-post" else 0)
