"""Ops for Telegram: ``signalbot doctor``'s lines against the fake, ``/readyz`` naming the
connection, and the metrics of messages sent."""

from __future__ import annotations

import io
import logging

import pytest

from bot.adapters.telegram.polling import STALE_AFTER, PollWatch
from bot.ops.doctor import cmd_doctor, run_checks
from bot.ops.health import Readiness
from bot.ops.metrics import Metrics
from bot.settings import load_settings
from bot.storage import Storage
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.telegram.conftest import Running


def settings_for(fake: FakeTelegram, token: str = BOT_TOKEN, **more: str) -> object:
    return load_settings(
        env_file=None, telegram_bot_token=token, telegram_api_base_url=fake.base_url,
        price_source="demo", **more,
    )  # fmt: skip


async def test_doctor_before_and_after_the_first_start(
    fake: FakeTelegram, running: Running
) -> None:
    checks = {c.name: c for c in await run_checks(settings_for(fake), limit=5)}  # type: ignore[arg-type]
    assert checks["telegram"].ok and "@signalbot_test_bot" in checks["telegram"].detail
    assert checks["telegram webhook"].ok and "long polling" in checks["telegram webhook"].detail
    assert not checks["telegram commands"].ok  # the bot sets the menus when it starts
    adapter = await running()
    await fake.wait_for(lambda: bool(fake.commands_for("zh")))
    await adapter.stop()
    checks = {c.name: c for c in await run_checks(settings_for(fake), limit=5)}  # type: ignore[arg-type]
    assert checks["telegram commands"].ok
    assert "Telegram (long polling)" in checks["settings"].detail


async def test_doctor_with_a_bad_token_or_a_stray_webhook(fake: FakeTelegram) -> None:
    out = io.StringIO()
    bad = settings_for(fake, token="1:not-the-token")
    assert await cmd_doctor(bad, limit=5, out=out) == 1  # type: ignore[arg-type]
    assert "getMe failed" in out.getvalue() and "not-the-token" not in out.getvalue()
    fake.webhook = {"url": "https://elsewhere.test/hook", "secret_token": None}
    checks = {c.name: c for c in await run_checks(settings_for(fake), limit=5)}  # type: ignore[arg-type]
    assert not checks["telegram webhook"].ok and "long polling" in checks["telegram webhook"].detail


async def test_readiness_and_metrics(fake: FakeTelegram, running: Running, store: Storage) -> None:
    fake.private(7)
    adapter = await running()
    metrics = Metrics()
    adapter.handlers.on_post = metrics.telegram_post
    _, body = await Readiness(store, [adapter], None, expect_digests=False).report()
    assert body["adapters"]["telegram"] == {"polling": True}
    fake.message(7, 7, "/help")
    await adapter.handlers.wait_handled(1)
    fake.private(8).blocked = True
    fake.message(8, 8, "/help")
    await adapter.handlers.wait_handled(2)
    text = metrics.exposition().decode()
    assert 'signalbot_telegram_posts_total{kind="reply",outcome="ok"} 1.0' in text
    # the bot was blocked: one refused reply, and no second one to say so
    assert 'signalbot_telegram_posts_total{kind="reply",outcome="failed"} 1.0' in text
    await adapter.stop()
    _, body = await Readiness(store, [adapter], None, expect_digests=False).report()
    assert body["adapters"]["telegram"] == {"polling": False}


async def test_telegram_unreachable_at_start_is_waited_out(
    fake: FakeTelegram, running: Running
) -> None:
    fake.fail("getMe", 502, "Bad Gateway")
    adapter = await running()  # polling once the second getMe answered
    assert len(fake.of("getMe")) == 2 and await adapter.health() == {"polling": True}


async def test_stopped_while_telegram_is_unreachable(fake: FakeTelegram, running: Running) -> None:
    fake.fail("getMe", 502, "Bad Gateway", times=1000)
    adapter = await running(wait=False)
    await fake.wait_for(lambda: len(fake.of("getMe")) >= 2)
    assert await adapter.health() == {"polling": False}
    await adapter.stop()  # the fixture's teardown then finds run() returned


async def test_readyz_says_polling_is_down_while_telegram_refuses_getupdates(
    fake: FakeTelegram, running: Running, store: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    """Three refused polls (python-telegram-bot retries after 1 s, then 1.5 s): /readyz is not
    ready meanwhile, the outage is logged once, and it is ready again once a poll answers."""
    caplog.set_level(logging.INFO, logger="bot.adapters.telegram.polling")
    fake.private(7)
    fake.fail("getUpdates", 502, "Bad Gateway", times=3)
    adapter = await running()
    await fake.wait_for(lambda: len(fake.of("getUpdates")) >= 2)
    _, body = await Readiness(store, [adapter], None, expect_digests=False).report()
    assert body["adapters"]["telegram"] == {"polling": False}
    await fake.wait_for(lambda: len(fake.of("getUpdates")) >= 4)  # the fourth is let through
    fake.message(7, 7, "/help")  # the long poll answers with it
    await adapter.handlers.wait_handled(1)
    _, body = await Readiness(store, [adapter], None, expect_digests=False).report()
    assert body["adapters"]["telegram"] == {"polling": True}
    failed = [r for r in caplog.records if "getUpdates failed" in r.getMessage()]
    assert len(failed) == 1 and "Bad Gateway" in failed[0].getMessage()
    again = [r.getMessage() for r in caplog.records if "works again" in r.getMessage()]
    assert again == [again[0]] and "after 3 failed polls" in again[0]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per retry


def test_a_poll_that_never_answers_is_not_healthy() -> None:
    now = [0.0]
    watch = PollWatch(clock=lambda: now[0])
    assert not watch.healthy()  # never polled
    watch.began()
    assert watch.healthy()  # the first long poll is out, nothing has failed
    now[0] = STALE_AFTER + 1
    assert not watch.healthy()  # it hangs
    watch.succeeded()
    assert watch.healthy()
    now[0] += STALE_AFTER + 1
    assert not watch.healthy()  # nothing answered since
    watch.began()
    watch.failed("TimedOut: timed out")
    assert not watch.healthy()
