"""Targets added or removed while the bot runs: the poster reads every target again once its
last read is a digest tick old (its clock is passed in), reads a target it does not know at
once, and stops posting to a removed one, without a restart."""

from __future__ import annotations

import asyncio
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.adapters.base import PostFailed
from bot.storage import Storage, open_storage
from bot.webhooks.poster import RELOAD, WebhookPoster
from tests.bot.webhooks.conftest import VirtualClock, add_target
from tests.fakes.bot_process import bot_env, start_bot, stop_bot
from tests.fakes.market import last_due_session, write_price_dir
from tests.fakes.webhooks import FakeWebhooks


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def poster(storage: Storage, clock: VirtualClock) -> AsyncIterator[WebhookPoster]:
    posting = WebhookPoster(storage, monotonic=clock.monotonic, sleep=clock.sleep)
    yield posting
    await posting.stop()


def body(n: int) -> dict[str, object]:
    return {"type": "test", "key": f"k{n}", "n": n}


async def test_a_target_added_while_running_is_posted_to_at_once(
    storage: Storage, fake: FakeWebhooks, poster: WebhookPoster
) -> None:
    first = await add_target(storage, "json", fake.json_hook("a"))
    await poster.send_message(str(first.id), body(1))
    later = await add_target(storage, "json", fake.json_hook("b"))  # no restart, no tick
    await poster.send_message(str(later.id), body(2))
    assert [m.body["n"] for m in fake.of("a")] == [1]
    assert [m.body["n"] for m in fake.of("b")] == [2]


async def test_a_removed_target_stops_at_the_next_read(
    storage: Storage, fake: FakeWebhooks, poster: WebhookPoster, clock: VirtualClock
) -> None:
    gone = await add_target(storage, "json", fake.json_hook("gone"))
    stays = await add_target(storage, "json", fake.json_hook("stays"))
    await poster.send_message(str(gone.id), body(1))
    assert await storage.remove_webhook(gone.id)
    clock.now += RELOAD  # a digest tick later
    with pytest.raises(PostFailed, match="does not exist"):
        await poster.send_message(str(gone.id), body(2))
    await poster.send_message(str(stays.id), body(3))
    assert [m.body["n"] for m in fake.of("gone")] == [1]
    assert [m.body["n"] for m in fake.of("stays")] == [3]


async def test_a_removed_target_unknown_to_the_poster_is_refused(
    storage: Storage, fake: FakeWebhooks, poster: WebhookPoster
) -> None:
    target = await add_target(storage, "json", fake.json_hook("never"))
    assert await storage.remove_webhook(target.id)
    with pytest.raises(PostFailed, match="does not exist"):
        await poster.send_message(str(target.id), body(1))
    assert fake.of("never") == []


async def test_targets_are_read_once_per_tick_not_once_per_post(
    storage: Storage, fake: FakeWebhooks, poster: WebhookPoster, clock: VirtualClock
) -> None:
    """A fan-out does not read the table per post: one read, then one a tick later."""
    targets = [await add_target(storage, "json", fake.json_hook(f"t{i}")) for i in range(3)]
    reads: list[int] = []
    real = storage.list_webhooks

    async def counted(*, only: int | None = None) -> list:  # type: ignore[type-arg]
        reads.append(1)
        return await real(only=only)

    storage.list_webhooks = counted  # type: ignore[method-assign]
    for i, target in enumerate(targets):
        await poster.send_message(str(target.id), body(i))
    assert len(reads) == 1
    clock.now += RELOAD
    await poster.send_message(str(targets[0].id), body(9))
    assert len(reads) == 2


async def test_a_bot_started_without_targets_keeps_a_poster_waiting(storage: Storage) -> None:
    """With no target stored, ``run_bot`` gives the runners a poster anyway when a chat
    platform runs (``standby``), so a target added later is served without a restart."""
    from bot.app import webhook_poster

    assert await webhook_poster(storage) is None
    waiting = await webhook_poster(storage, standby=True)
    assert isinstance(waiting, WebhookPoster)
    await waiting.stop()


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_signalbot_run_serves_a_target_added_while_it_runs(
    db_url: str, tmp_path: Path, fake: FakeWebhooks
) -> None:
    """A real ``signalbot run``: target ``a`` gets its digest; target ``b``, added while the
    bot runs, gets its own at a later tick; no restart."""
    session = last_due_session()
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0}, end=session)
    async with open_storage(db_url) as opened:
        await add_target(opened, "json", fake.json_hook("a"), language="en")
    env = bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_LOG_LEVEL="INFO",
        SIGNALBOT_OPS_SERVER="off",
        SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
    )
    log_path = tmp_path / "bot.log"
    proc = await start_bot(env, log_path)
    try:
        await until(lambda: len(fake.of("a")) == 1, "target a's digest", proc)
        async with open_storage(db_url) as opened:
            await add_target(opened, "json", fake.json_hook("b"), language="zh")
        await until(lambda: len(fake.of("b")) == 1, "target b's digest (added live)", proc)
    finally:
        await stop_bot(proc)
    assert [m.body["type"] for m in fake.of("b")] == ["digest"]
    assert len(fake.of("a")) == 1 and "Traceback" not in log_path.read_text()


async def until(condition: Callable[[], bool], what: str, proc: Process) -> None:
    """Poll ``condition()`` (a bound, never a sync point) until true, or fail saying ``what``."""
    for _ in range(int(150 / 0.05)):
        if condition():
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what} (bot exit code {proc.returncode})")
