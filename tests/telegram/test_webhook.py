"""Webhook mode: setWebhook with a secret, updates posted with the secret header answered, any
other request refused before it reaches the bot."""

from __future__ import annotations

from tests.fakes.telegram import FakeTelegram
from tests.telegram.conftest import Running

URL = "https://bot.example.test/tg/hook"


async def test_webhook_with_its_secret(fake: FakeTelegram, running: Running) -> None:
    fake.private(7)
    adapter = await running(telegram_webhook_url=URL, http_host="127.0.0.1")
    await fake.wait_for(lambda: bool(fake.webhook["url"]))
    assert fake.webhook["url"] == URL
    secret = fake.webhook["secret_token"]
    assert secret and secret not in adapter.settings.bot_token.get_secret_value()  # type: ignore[union-attr]
    assert set(fake.of("setWebhook")[0].params["allowed_updates"]) == {
        "message", "channel_post", "my_chat_member"
    }  # fmt: skip
    local = f"http://127.0.0.1:{adapter.port}/tg/hook"
    fake.message(7, 7, "/about")
    assert await fake.push(url=local, secret="not-the-secret") == [403]
    assert fake.pending_count == 1  # refused: Telegram would send it again
    assert await fake.push(url=local) == [200]
    await fake.wait_for(lambda: bool(fake.sent_to(7)))
    assert fake.pending_count == 0 and not fake.of("getUpdates")


async def test_a_configured_secret_is_used(fake: FakeTelegram, running: Running) -> None:
    await running(
        telegram_webhook_url=URL, telegram_webhook_secret="my_Secret-1", http_host="127.0.0.1"
    )
    await fake.wait_for(lambda: bool(fake.webhook["url"]))
    assert fake.webhook["secret_token"] == "my_Secret-1"
