"""Digests to Telegram chats: the real runner and ledger, TelegramPoster, python-telegram-bot and
the fake Bot API. One message per part then the heatmap photo; refusals pause, disable or move
the chat with nothing lost; a retry across the post/mark window says "possible duplicate" once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot.adapters.telegram.poster import ChatPacer, TelegramPoster
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import Storage, Subscription
from signals.service import PriceService
from tests.digest.conftest import SESSION
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram


class NoWait:
    """The poster's clock: sleeping moves it, nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


@pytest.fixture
async def poster(fake: FakeTelegram, storage: Storage) -> AsyncIterator[TelegramPoster]:
    bot = Bot(BOT_TOKEN, base_url=fake.base_url)
    await bot.initialize()

    async def on_migrate(old: str, new: str) -> None:
        await storage.move_chat("telegram", old, new)

    clock = NoWait()
    pacer = ChatPacer(sleep=clock.sleep, clock=clock.clock)
    yield TelegramPoster(bot, on_migrate=on_migrate, pacer=pacer, sleep=clock.sleep)
    await bot.shutdown()


async def parts(storage: Storage, sub: Subscription) -> list[tuple[int, str, tuple[str, ...]]]:
    """(part, state, message ids) of each ledger row of ``sub`` on :data:`SESSION`."""
    rows = [r for r in await storage.deliveries_for(SESSION) if r.subscription_id == sub.id]
    return [(r.part, r.state, r.message_ids) for r in rows]


def runner(storage: Storage, prices: PriceService, poster: TelegramPoster) -> DigestRunner:
    return DigestRunner(
        storage,
        prices,
        {"telegram": poster},
        heatmaps=True,
        render_processes=0,
        retry_backoff=timedelta(0),
        rates={},  # the fan-out's pacing is not what is tested here
    )


async def subscribe(storage: Storage, chat: int, language: str = "both") -> Subscription:
    await storage.set_language("telegram", str(chat), language)
    return await storage.upsert_subscription(
        "telegram", str(chat), str(chat), time=None, timezone="America/New_York"
    )


async def test_one_message_per_part_then_the_heatmap(
    fake: FakeTelegram, storage: Storage, prices: PriceService, poster: TelegramPoster
) -> None:
    fake.group(-5)
    sub = await subscribe(storage, -5)
    report = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    sent = fake.sent_to(-5)
    assert [s.method for s in sent] == ["sendMessage", "sendPhoto"]
    text, photo = sent
    assert text.params["parse_mode"] == "HTML" and "SPY" in text.text and "日报" in text.text
    assert photo.photo is not None and photo.photo[:4] == b"\x89PNG"
    assert report.sent == 1
    assert await parts(storage, sub) == [
        (1, "sent", (str(text.message_id),)),
        (2, "sent", (str(photo.message_id),)),
    ]
    again = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert len(fake.sent) == 2 and again.sent == 0  # marked sent: never posted twice


async def test_kicked_pauses_and_nothing_is_lost(
    fake: FakeTelegram, storage: Storage, prices: PriceService, poster: TelegramPoster
) -> None:
    chat = fake.group(-5, bot_status="kicked")
    sub = await subscribe(storage, -5)
    report = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert report.paused == 1 and fake.sent == []
    paused = await storage.get_subscription(sub.id)
    assert paused is not None and paused.enabled and "kicked" in (paused.paused_reason or "")
    # the bot is added back (my_chat_member): the chat resumes, the same session is delivered
    chat.bot_status = "member"
    assert await storage.resume_chat("telegram", "-5") == (1, 0)
    sub = await storage.get_subscription(sub.id) or sub
    again = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert again.sent == 1 and [s.method for s in fake.sent_to(-5)] == ["sendMessage", "sendPhoto"]


async def test_chat_not_found_disables(
    fake: FakeTelegram, storage: Storage, prices: PriceService, poster: TelegramPoster
) -> None:
    sub = await subscribe(storage, -404)
    report = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert report.gone == 1
    gone = await storage.get_subscription(sub.id)
    assert gone is not None and not gone.enabled
    assert "chat not found" in (gone.disabled_reason or "").lower()


async def test_a_migrated_group_gets_its_digest_at_the_supergroup(
    fake: FakeTelegram, storage: Storage, prices: PriceService, poster: TelegramPoster
) -> None:
    fake.group(-5, admins=(7,))
    fake.migrate(-5, -1005, by=7)
    sub = await subscribe(storage, -5, language="zh-hant")
    await storage.add_alert("telegram", "-5", "-5", "IWM", user_id="7", limit=10)
    report = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert report.sent == 1
    assert [s.method for s in fake.sent_to(-1005)] == ["sendMessage", "sendPhoto"]
    assert fake.sent_to(-5) == []
    moved = await storage.get_subscription(sub.id)
    assert moved is not None and (moved.server_id, moved.channel_id) == ("-1005", "-1005")
    assert moved.enabled and moved.paused_reason is None
    assert await storage.get_language("telegram", "-1005", "en") == "zh-hant"
    [alert] = await storage.list_alerts("telegram")
    assert (alert.server_id, alert.channel_id, alert.ticker) == ("-1005", "-1005", "IWM")
    assert [state for _, state, _ in await parts(storage, sub)] == ["sent", "sent"]


async def test_a_retry_across_the_window_says_possible_duplicate_once(
    fake: FakeTelegram,
    storage: Storage,
    prices: PriceService,
    poster: TelegramPoster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The first answer is lost (a 502: the message may or may not be in the chat); the retry
    cannot ask Telegram, so it posts once and warns once."""
    fake.private(7)
    sub = await subscribe(storage, 7, language="en")
    fake.fail("sendMessage", 502, "Bad Gateway")
    first = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert first.failed == 1 and fake.sent == []
    assert "possible duplicate" not in caplog.text  # no retry yet
    second = await runner(storage, prices, poster).run([Target(sub, SESSION)])
    assert second.sent == 1 and [s.method for s in fake.sent_to(7)] == ["sendMessage", "sendPhoto"]
    assert caplog.text.count("possible duplicate") == 1
