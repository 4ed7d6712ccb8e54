"""``signalbot run`` serving a webhook target of each kind without a Chinese robot (JSON, Discord
incoming, Slack incoming: a real subprocess against the local fake of ``tests.fakes.webhooks``):
its digest is posted once when due; killed (kill -9) before the post or after the mark, then
restarted, the receiver still has exactly one digest. In the after-mark case the target also
has ``--alerts SPY``, whose regime changes on the session (the worked example's series is
neutral the session before and a defensive impulse on it): the first bot is killed once both
the digest and the alert are marked, and the receiver has exactly one alert message too.

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
import collections
import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.storage import Delivery, open_storage
from bot.storage.models import alerts as alerts_table
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
KINDS = ("json", "discord", "slack")


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


def all_sent(rows: list[Delivery]) -> bool:
    """Every part of the one digest is marked sent."""
    parts = max((r.parts or 0 for r in rows), default=0) or len(rows)
    return bool(rows) and len(rows) >= parts and all(r.state == "sent" for r in rows)


async def alerts_sent(db_url: str) -> list[str]:
    """The alert ledger's states for the session."""
    async with open_storage(db_url) as storage:
        states = await storage.alert_states(last_due_session())
    return [state for state, _ in states.values()]


async def add_hook(db_url: str, fake: FakeWebhooks, kind: str, alerts: tuple[str, ...]) -> str:
    """A target of ``kind`` named ``ops`` at the fake; the URL's path (never to be logged)."""
    secret = SECRET if kind == "json" else None
    url = {
        "json": lambda: fake.json_hook("ops", secret=SECRET),
        "discord": lambda: fake.discord_hook("ops"),
        "slack": lambda: fake.slack_hook("ops"),
    }[kind]()
    async with open_storage(db_url) as storage:
        target = await add_target(storage, kind, url, secret=secret, language="zh", alerts=alerts)
        # an alert added after its session's due time waits for the next session: this one
        # was there before the session's close
        before = datetime.combine(last_due_session(), time(0), UTC)
        async with storage.engine.begin() as conn:
            await conn.execute(update(alerts_table).values(created_at=before))
    assert target.kind == kind
    return url.removeprefix(fake.base_url)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("point", ["before-post", "after-mark"])
async def test_killed_before_the_post_or_after_the_mark_one_message(
    db_url: str, tmp_path: Path, fake: FakeWebhooks, point: str, kind: str
) -> None:
    session = last_due_session()
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0}, end=session)
    # the alert only where the kill comes after every mark: a gate holding posts of two
    # runners would make which claims the restart takes over a matter of timing
    alerts = ("SPY",) if point == "after-mark" else ()
    path = await add_hook(db_url, fake, kind, alerts)
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

            async def poll() -> None:  # the digest marked, and the alert (up to a minute)
                states = await alerts_sent(db_url)
                sent.append(all_sent(await ledger(db_url)) and states == ["sent"])

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
    assert (stored == 0) == (point == "before-post")

    second = await start_bot(env, second_log)
    try:
        if point == "before-post":
            await until(lambda: len(fake.messages) >= 1, "the digest posted", second, second_log)
            for _ in range(int(BOUND / WAIT)):
                if all_sent(await ledger(db_url)):
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
    assert "Traceback" not in text and path not in text and SECRET not in text
    rows = await ledger(db_url)
    assert all_sent(rows)
    parts = len(rows)
    messages = fake.of("ops")
    assert len(messages) == parts + len(alerts)  # every digest part once, the alert once
    assert len({json.dumps(m.body, sort_keys=True) for m in messages}) == len(messages)
    assert fake.rejected == []
    if alerts:
        assert await alerts_sent(db_url) == ["sent"]
        assert "alert sent platform=webhook" in first_log.read_text()
        assert "alert sent" not in text  # the restart posts no alert again
    if kind == "json":
        types = collections.Counter(m.body["type"] for m in messages)
        assert types == {"digest": parts, **({"alert": 1} if alerts else {})}
        assert all(m.body["session"] == session.isoformat() for m in messages)
        assert {m.body["language"] for m in messages} == {"zh"}
    duplicate_warnings = text.count("a duplicate is possible")
    assert duplicate_warnings == (1 if point == "before-post" else 0)
