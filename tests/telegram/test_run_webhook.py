"""``run_bot`` in webhook mode: the ops server answers Telegram's posts on its own port, next to
/readyz (which names the webhook) and /metrics (which counts the replies)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import create_telegram_adapter
from bot.app import run_bot
from bot.dispatch import Dispatcher
from bot.settings import load_settings
from tests.bot.ops.conftest import get
from tests.fakes.market import write_price_dir
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.support import any_port, bound_port

pytestmark = pytest.mark.slow


async def test_webhook_on_the_ops_port(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    prices = write_price_dir(tmp_path / "prices", {"IWM": 1.0})
    settings = load_settings(
        env_file=None,
        price_source=f"csv:{prices}",
        data_dir=tmp_path / "data",
        http_host="127.0.0.1",
        telegram_bot_token=BOT_TOKEN,
        telegram_api_base_url=fake.base_url,
        telegram_webhook_url="https://bot.example.test/telegram/hook",
    )
    any_port(settings, caplog)
    made: list[Any] = []

    def adapters(dispatcher: Dispatcher) -> list[Any]:
        made.append(create_telegram_adapter(settings.telegram, settings.chat, dispatcher, None))
        return made

    task = asyncio.create_task(run_bot(settings, extra_adapters=adapters))
    try:
        await fake.wait_for(lambda: bool(fake.webhook["url"]))
        base = f"http://127.0.0.1:{await bound_port(caplog)}"
        _, body = await get(f"{base}/readyz")
        assert body["adapters"]["telegram"] == {"webhook": True}, body
        fake.private(7)
        fake.message(7, 7, "/about")
        assert await fake.push(url=f"{base}/telegram/hook", secret="wrong") == [403]
        assert await fake.push(url=f"{base}/telegram/hook") == [200]
        await fake.wait_for(lambda: bool(fake.sent_to(7)))
        _, metrics = await get(f"{base}/metrics")
        assert 'signalbot_telegram_posts_total{kind="reply",outcome="ok"} 1.0' in metrics
        assert (
            'signalbot_commands_total{command="about",outcome="ok",platform="telegram"}' in metrics
        )
        assert made[0].serve_http is False  # the ops server answered: no second server
    finally:
        for adapter in made:
            await adapter.stop()
        assert await asyncio.wait_for(task, 30) == 0
