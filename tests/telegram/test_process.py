"""A real ``signalbot run`` with ``TELEGRAM_BOT_TOKEN`` and the fake Bot API: it answers
``/signal IWM`` in a group and, in Chinese, in a private chat, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.fakes.bot_process import bot_env, start_bot, stop_bot
from tests.fakes.market import write_price_dir
from tests.fakes.telegram import BOT_TOKEN, BOT_USERNAME, FakeTelegram

pytestmark = pytest.mark.slow

GROUP = -4242


async def test_signalbot_run_answers_on_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    fake.group(GROUP, members=(5,))
    fake.private(6, language_code="zh-hans")
    env = bot_env(
        tmp_path,
        prices,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        SIGNALBOT_OPS_SERVER="off",
        SIGNALBOT_LOG_LEVEL="INFO",
    )
    log = tmp_path / "bot.log"
    proc = await start_bot(env, log)
    try:
        await fake.wait_for(lambda: bool(fake.of("getUpdates")), seconds=60)
        fake.message(GROUP, 5, f"/signal@{BOT_USERNAME} IWM")
        fake.message(6, 6, "/signal IWM")
        await fake.wait_for(
            lambda: (
                any("IWM" in s.text for s in fake.sent_to(GROUP))
                and any("动量" in s.text for s in fake.sent_to(6))
            ),
            seconds=60,
        )
    finally:
        await stop_bot(proc)
    assert proc.returncode == 0, log.read_text()
    assert fake.sent_to(GROUP)[0].method == "sendPhoto"
    text = log.read_text()
    assert "telegram connected as @signalbot_test_bot" in text
    assert BOT_TOKEN not in text and BOT_TOKEN.split(":")[1] not in text


async def test_a_rejected_token_is_said_without_the_token(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    wrong = "424242:AAwrong-token_that_telegram_refuses"
    env = bot_env(
        tmp_path,
        prices,
        TELEGRAM_BOT_TOKEN=wrong,
        TELEGRAM_API_BASE_URL=fake.base_url,
        SIGNALBOT_OPS_SERVER="off",
    )
    log = tmp_path / "bot.log"
    proc = await start_bot(env, log)
    try:
        await asyncio.wait_for(proc.wait(), 60)
    finally:
        await stop_bot(proc)
    text = log.read_text()
    assert proc.returncode == 1, text  # every adapter crashed: a supervisor restarts it
    assert "adapter=telegram cannot start: Telegram rejected TELEGRAM_BOT_TOKEN" in text
    assert "Traceback" not in text
    assert wrong not in text and wrong.split(":")[1] not in text


async def test_a_blocked_bot_pauses_and_resumes_the_chat(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """An admin schedules a digest in a group; the bot is removed (``my_chat_member``): the
    digest pauses and the admin is told in private; added back, it resumes."""
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    owner = 9
    fake.group(GROUP, title="Momentum Club", creator=owner)
    fake.private(owner, language_code="zh-hant")
    env = bot_env(
        tmp_path,
        prices,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        SIGNALBOT_OPS_SERVER="off",
    )
    log = tmp_path / "bot.log"
    proc = await start_bot(env, log)
    try:
        await fake.wait_for(lambda: bool(fake.of("getUpdates")), seconds=60)
        # Telegram lets a bot write to people who started a chat with it, as the owner did
        fake.message(owner, owner, "/start")
        fake.message(GROUP, owner, f"/digest@{BOT_USERNAME} schedule 17:00")
        await fake.wait_for(lambda: bool(fake.sent_to(GROUP) and fake.sent_to(owner)), 60)
        fake.bot_status(GROUP, "kicked", by=owner)
        await fake.wait_for(lambda: any("暫停" in s.text for s in fake.sent_to(owner)), 60)
        async with open_storage(f"sqlite:///{tmp_path}/data/signalbot.db") as store:
            (sub,) = await store.list_subscriptions("telegram")
            assert sub.paused_reason == "Forbidden: bot was kicked from the group chat"
        fake.bot_status(GROUP, "member", by=owner)
        await fake.wait_for(lambda: any("恢復" in s.text for s in fake.sent_to(owner)), 60)
        async with open_storage(f"sqlite:///{tmp_path}/data/signalbot.db") as store:
            (sub,) = await store.list_subscriptions("telegram")
            assert sub.paused_reason is None and sub.enabled
    finally:
        await stop_bot(proc)
    assert proc.returncode == 0, log.read_text()
    paused = [s.text for s in fake.sent_to(owner) if "暫停" in s.text]
    assert paused and "Momentum Club" in paused[0]  # the chat named by its title
