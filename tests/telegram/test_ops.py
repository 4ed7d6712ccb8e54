"""Ops for Telegram: ``signalbot doctor``'s lines against the fake, ``/readyz`` naming the
connection, and the metrics of messages sent."""

from __future__ import annotations

import io

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
