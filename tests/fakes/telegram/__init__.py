"""One fake Telegram Bot API for every test: the HTTP server python-telegram-bot talks to
(:mod:`.api`), Telegram's HTML parse mode (:mod:`.entities`), chats, users and roles
(:mod:`.chats`) and the updates a test injects (:mod:`.updates`).

    fake = await FakeTelegram().start()      # TELEGRAM_API_BASE_URL=fake.base_url
    fake.private(7, language_code="zh-hans")
    fake.group(-5, admins=(7,), members=(8,))
    fake.message(-5, 8, "/signal@signalbot_test_bot IWM")
    await fake.wait_for(lambda: fake.sent_to(-5))
"""

from tests.fakes.telegram.api import (
    CAPTION_LIMIT,
    KICKED,
    MIGRATED,
    TEXT_LIMIT,
    FakeTelegram,
)
from tests.fakes.telegram.chats import BOT_ID, BOT_TOKEN, BOT_USERNAME, Chat
from tests.fakes.telegram.entities import Parsed, ParseError, parse_html, utf16_length
from tests.fakes.telegram.records import Call, Sent, TelegramError

__all__ = [
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USERNAME",
    "CAPTION_LIMIT",
    "KICKED",
    "MIGRATED",
    "TEXT_LIMIT",
    "Call",
    "Chat",
    "FakeTelegram",
    "ParseError",
    "Parsed",
    "Sent",
    "TelegramError",
    "parse_html",
    "utf16_length",
]
