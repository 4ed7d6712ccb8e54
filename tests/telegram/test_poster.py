"""TelegramPoster through the real python-telegram-bot client against the fake Bot API: what is
posted, and each refusal of Telegram turned into what the delivery layer does with it."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from datetime import date

import pytest
from telegram import Bot

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from bot.adapters.telegram.channel import TelegramChannel, photo_payload, text_payload
from bot.adapters.telegram.poster import CHAT_INTERVAL, GROUP_INTERVAL, ChatPacer, TelegramPoster
from bot.delivery.channels import channel_for
from bot.delivery.poster import AlertMessage
from formatting.alerts import RegimeChange
from signals.regimes import Regime
from tests.fakes.telegram import BOT_TOKEN, TEXT_LIMIT, FakeTelegram
from tests.formatting.conftest import make_card

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it (no real waiting)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(BOT_TOKEN, base_url=fake.base_url)
    await client.initialize()
    yield client
    await client.shutdown()


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def moves() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def poster(bot: Bot, time: FakeTime, moves: list[tuple[str, str]]) -> TelegramPoster:
    async def on_migrate(old: str, new: str) -> None:
        moves.append((old, new))

    pacer = ChatPacer(sleep=time.sleep, clock=time.clock)
    return TelegramPoster(bot, on_migrate=on_migrate, pacer=pacer, sleep=time.sleep)


def test_the_channel_is_registered() -> None:
    caps = channel_for("telegram").capabilities
    assert isinstance(channel_for("telegram"), TelegramChannel)
    assert caps.limits.max_chars == TEXT_LIMIT and caps.carries_images
    assert not caps.finds_history and not caps.idempotency_key
    assert caps.rate is not None and caps.rate < 30  # Telegram: 30 messages a second overall


async def test_text_and_photo(fake: FakeTelegram, poster: TelegramPoster) -> None:
    fake.private(7)
    first = await poster.send_message("7", text_payload("<b>IWM</b> &lt;x&gt;"))
    second = await poster.send_message(
        "7", photo_payload("heat<b>map</b>"), (Attachment("heatmap.png", PNG, "map"),)
    )
    sent = fake.sent_to(7)
    assert [s.message_id for s in sent] == [int(first), int(second)]
    assert sent[0].text == "IWM <x>" and sent[0].params["parse_mode"] == "HTML"
    assert sent[0].params["link_preview_options"] == {"is_disabled": True}
    assert sent[1].method == "sendPhoto" and sent[1].photo == PNG and sent[1].text == "heatmap"


async def test_the_research_page_is_the_one_preview(
    fake: FakeTelegram, poster: TelegramPoster
) -> None:
    fake.private(7)
    url = "https://example.org/research/IWM/"
    await poster.send_message("7", text_payload(f'<a href="{url}">IWM</a>', preview_url=url))
    assert fake.sent_to(7)[0].params["link_preview_options"] == {"url": url}


async def test_posts_to_one_chat_are_spaced(
    fake: FakeTelegram, poster: TelegramPoster, time: FakeTime
) -> None:
    """About one message a second in a chat, 20 a minute in a group: never a burst."""
    fake.private(7)
    fake.group(-5)
    for _ in range(3):
        await poster.send_message("7", text_payload("a"))
        await poster.send_message("-5", text_payload("b"))
    assert len(fake.sent_to(7)) == 3 and len(fake.sent_to(-5)) == 3
    assert time.now - 100.0 >= 2 * GROUP_INTERVAL  # the group's third post, 6 s after its first


async def test_the_pacer_spaces_each_chat(time: FakeTime) -> None:
    pacer = ChatPacer(sleep=time.sleep, clock=time.clock)
    at: dict[str, list[float]] = {"7": [], "-5": []}
    for _ in range(4):
        for chat in at:
            await pacer.wait(chat)
            at[chat].append(time.now)
    for chat, interval in (("7", CHAT_INTERVAL), ("-5", GROUP_INTERVAL)):
        gaps = [b - a for a, b in zip(at[chat], at[chat][1:], strict=False)]
        assert min(gaps) >= interval - 1e-9, (chat, gaps)
    pacer.hold("7", 30)
    before = time.now
    await pacer.wait("7")
    assert time.now - before >= 30 - 1e-9


async def test_retry_after_is_waited_out(
    fake: FakeTelegram, poster: TelegramPoster, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    fake.private(7)
    fake.flood(7, chat_id=7, times=2)
    began = time.now
    message_id = await poster.send_message("7", text_payload("once"))
    assert [s.text for s in fake.sent_to(7)] == ["once"]  # posted once, after the floods
    assert int(message_id) == fake.sent_to(7)[0].message_id
    assert time.now - began >= 14  # both waits of 7 s, in full
    assert len(fake.of("sendMessage")) == 3
    assert "flood control" in caplog.text
    # the next post to that chat also waits its turn: no burst once the wait is over
    await poster.send_message("7", text_payload("next"))
    assert time.slept[-1] >= CHAT_INTERVAL - 1e-9


async def test_a_long_retry_after_fails_the_post_for_the_ledger(
    fake: FakeTelegram, poster: TelegramPoster, time: FakeTime
) -> None:
    fake.private(7)
    fake.flood(3600, chat_id=7)
    with pytest.raises(PostFailed, match="retry after 3600"):
        await poster.send_message("7", text_payload("later"))
    assert fake.sent_to(7) == [] and time.slept == []


async def test_blocked_and_kicked_pause(fake: FakeTelegram, poster: TelegramPoster) -> None:
    fake.private(7).blocked = True
    fake.group(-5, bot_status="kicked")
    with pytest.raises(PostingPaused, match="blocked by the user") as blocked:
        await poster.send_message("7", text_payload("x"))
    assert blocked.value.channel_id == "7"
    with pytest.raises(PostingPaused, match="kicked"):
        await poster.send_message("-5", text_payload("x"))
    assert fake.sent == []


async def test_chat_not_found_is_gone(fake: FakeTelegram, poster: TelegramPoster) -> None:
    with pytest.raises(ChannelGone, match=r"(?i)chat not found"):
        await poster.send_message("-404", text_payload("x"))


async def test_a_refused_message_fails_without_retrying(
    fake: FakeTelegram, poster: TelegramPoster
) -> None:
    fake.private(7)
    with pytest.raises(PostFailed, match="parse entities"):
        await poster.send_message("7", text_payload("<b>unclosed"))
    assert len(fake.of("sendMessage")) == 1


async def test_a_migrated_group_moves_and_posts_there(
    fake: FakeTelegram, poster: TelegramPoster, moves: list[tuple[str, str]]
) -> None:
    fake.group(-5, admins=(7,))
    fake.migrate(-5, -1005, by=7)
    first = await poster.send_message("-5", text_payload("part 1"))
    second = await poster.send_message("-5", text_payload("part 2"))
    assert moves == [("-5", "-1005")]
    assert [s.text for s in fake.sent_to(-1005)] == ["part 1", "part 2"]
    assert fake.sent_to(-5) == []
    assert [int(first), int(second)] == [s.message_id for s in fake.sent_to(-1005)]
    assert len(fake.of("sendMessage")) == 3  # one refusal, then straight to the supergroup


async def test_no_answer_is_not_retried_here(fake: FakeTelegram, poster: TelegramPoster) -> None:
    """A 5xx or a dropped connection: the message may be in the chat, so the poster does not
    post again (the ledger retries, saying "possible duplicate")."""
    fake.private(7)
    fake.fail("sendMessage", 502, "Bad Gateway")
    with pytest.raises(PostFailed):
        await poster.send_message("7", text_payload("x"))
    assert len(fake.of("sendMessage")) == 1


async def test_nothing_says_the_token(
    fake: FakeTelegram, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Errors and this code's logs never hold the token, also when the API is unreachable."""
    caplog.set_level(logging.DEBUG, logger="bot")
    fake.private(7).blocked = True
    fake.group(-5)
    fake.flood(3, chat_id=-5)
    client = Bot(BOT_TOKEN, base_url=fake.base_url)
    await client.initialize()
    pacer = ChatPacer(sleep=time.sleep, clock=time.clock)
    poster = TelegramPoster(client, pacer=pacer, sleep=time.sleep)
    errors: list[Exception] = []
    try:
        await poster.send_message("-5", text_payload("x"))
        for chat in ("7", "-404"):
            try:
                await poster.send_message(chat, text_payload("x"))
            except Exception as exc:
                errors.append(exc)
        await fake.stop()  # unreachable from now on
        try:
            await poster.send_message("-5", text_payload("x"))
        except Exception as exc:
            errors.append(exc)
    finally:
        await client.shutdown()
    assert [type(e) for e in errors] == [PostingPaused, ChannelGone, PostFailed]
    secret = BOT_TOKEN.split(":", 1)[1]
    for error in errors:
        assert secret not in repr(error) and error.__cause__ is None
    assert secret not in caplog.text


async def test_a_long_alert_is_several_messages(fake: FakeTelegram, poster: TelegramPoster) -> None:
    fake.group(-5)
    changes = [
        RegimeChange(previous=Regime.NEUTRAL, card=make_card(ticker=f"T{i:03d}", catalog=False))
        for i in range(60)
    ]
    alert = AlertMessage(changes, date(2026, 6, 8), "both", "csv", "a1s260608", [1])
    body = TelegramChannel().render_alert(alert)
    assert body["more"]
    last = await poster.send_message("-5", body)
    sent = fake.sent_to(-5)
    assert len(sent) == 1 + len(body["more"]) and int(last) == sent[-1].message_id
    assert all(s.parsed.length <= TEXT_LIMIT for s in sent)
    assert "T059" in sent[-1].text and "T000" in sent[0].text


async def test_a_429_says_no_deprecation_warning(
    fake: FakeTelegram,
    bot: Bot,
    time: FakeTime,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """python-telegram-bot 22.2+ warns on each ``RetryAfter`` unless PTB_TIMEDELTA is set: the
    poster sets it, so a flood is waited out with no PTBDeprecationWarning in the log."""
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    pacer = ChatPacer(sleep=time.sleep, clock=time.clock)
    poster = TelegramPoster(bot, pacer=pacer, sleep=time.sleep)
    fake.private(7)
    fake.flood(2, chat_id=7)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            await poster.send_message("7", text_payload("once"))
    finally:
        logging.captureWarnings(False)
    assert time.slept and max(time.slept) >= 2  # the 429 was waited out, read as a timedelta
    assert [s.text for s in fake.sent_to(7)] == ["once"]
    assert not [w for w in seen if "retry_after" in str(w.message)]
    assert "PTBDeprecationWarning" not in caplog.text and "PTB_TIMEDELTA" not in caplog.text
