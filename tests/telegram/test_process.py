"""A real ``signalbot run`` with ``TELEGRAM_BOT_TOKEN`` and the fake Bot API: it answers
``/signal IWM`` in a group and, in Chinese, in a private chat, and stops on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import pytest

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
