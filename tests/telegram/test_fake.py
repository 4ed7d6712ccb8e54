"""The fake Telegram answers the real python-telegram-bot client as Telegram does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, BotCommand
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter

from tests.fakes.telegram import (
    BOT_TOKEN,
    BOT_USERNAME,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    FakeTelegram,
    ParseError,
    parse_html,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(BOT_TOKEN, base_url=fake.base_url)
    await client.initialize()
    yield client
    await client.shutdown()


async def test_get_me_and_a_wrong_token(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == BOT_USERNAME and me.is_bot
    other = Bot("1:wrong", base_url=fake.base_url)
    with pytest.raises(Exception, match=r"Unauthorized|Invalid"):
        await other.get_me()


async def test_updates_are_confirmed_by_the_offset(fake: FakeTelegram, bot: Bot) -> None:
    fake.private(7)
    fake.message(7, 7, "/signal IWM")
    fake.message(7, 7, "hello")
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["/signal IWM", "hello"]
    again = await bot.get_updates()  # not confirmed yet: the same two
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert again[0].message is not None and again[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    assert fake.pending_count == 0 and fake.confirmed == 2


async def test_commands_take_two_letter_languages_only(fake: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand("signal", "Momentum card"), BotCommand("help", "Commands")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands, language_code="zh")
    with pytest.raises(BadRequest, match=r"(?i)language code"):
        await bot.set_my_commands(commands, language_code="zh-hant")
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Signal-Card", "x")])
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["signal", "help"]
    assert fake.commands_for("zh") == ["signal", "help"]


async def test_html_is_parsed_and_bad_markup_refused(fake: FakeTelegram, bot: Bot) -> None:
    fake.private(7)
    sent = await bot.send_message(7, "<b>IWM</b> a &lt; b &amp; c_d *e*", parse_mode=ParseMode.HTML)
    assert sent.text == "IWM a < b & c_d *e*"
    assert fake.sent[-1].parsed.of_type("bold") == ["IWM"]
    for bad in ("Fund <Small> Cap", "<b>open", "<b>x</i>", "<script>x</script>", "a < b"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(7, bad, parse_mode=ParseMode.HTML)
    assert len(fake.sent) == 1


async def test_limits_after_entities_parsing(fake: FakeTelegram, bot: Bot) -> None:
    fake.private(7)
    at_limit = "<b>" + "动" * TEXT_LIMIT + "</b>"  # tags do not count
    await bot.send_message(7, at_limit, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(7, "动" * (TEXT_LIMIT + 1))
    await bot.send_photo(7, PNG, caption="x" * CAPTION_LIMIT)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(7, PNG, caption="&amp;" * (CAPTION_LIMIT + 1), parse_mode="HTML")
    assert fake.sent[-1].photo == PNG


async def test_unreachable_chats(fake: FakeTelegram, bot: Bot) -> None:
    fake.private(7)
    fake.group(-5, admins=(7,))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(12345, "hi")
    fake.bot_status(7, "kicked", by=7)  # the user blocked the bot
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(7, "hi")
    fake.bot_status(-5, "kicked", by=7)
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(-5, "hi")
    updates = await bot.get_updates()
    assert [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member] == [
        "kicked",
        "kicked",
    ]


async def test_flood_control_says_when_to_retry(fake: FakeTelegram, bot: Bot) -> None:
    fake.private(7)
    fake.flood(3, chat_id=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(7, "hi")
    # python-telegram-bot 22 gives retry_after as seconds, or as a timedelta when PTB_TIMEDELTA
    # is set (another test module sets it): either way 3 seconds
    retry_after = caught.value.retry_after
    assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 3
    await bot.send_message(7, "hi")


async def test_group_upgraded_to_supergroup(fake: FakeTelegram, bot: Bot) -> None:
    fake.group(-5, creator=1, admins=(2,), members=(3,))
    fake.migrate(-5, -1001234, by=1)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-5, "hi")
    assert caught.value.new_chat_id == -1001234
    updates = await bot.get_updates()
    assert [(u.message.migrate_to_chat_id, u.message.migrate_from_chat_id) for u in updates
            if u.message] == [(-1001234, None), (None, -5)]  # fmt: skip
    assert (await bot.get_chat_member(-1001234, 2)).status == "administrator"
    await bot.send_message(-1001234, "hi")


async def test_member_roles(fake: FakeTelegram, bot: Bot) -> None:
    fake.group(-100777, kind="channel", username="momentum", creator=1, admins=(2,),
               bot_status="administrator")  # fmt: skip
    assert (await bot.get_chat_member("@momentum", 1)).status == "creator"
    assert (await bot.get_chat_member(-100777, 2)).status == "administrator"
    assert (await bot.get_chat_member(-100777, 3)).status == "left"
    assert (await bot.get_chat_member(-100777, bot.id)).status == "administrator"
    await bot.send_message("@momentum", "digest")


async def test_webhook_state(fake: FakeTelegram, bot: Bot) -> None:
    assert (await bot.get_webhook_info()).url == ""
    await bot.set_webhook("https://example.test/telegram", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.test/telegram"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


@given(st.text(max_size=40))
def test_escaped_text_always_parses_back(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert parse_html(f"<b>{escaped}</b>").text == text


def test_parse_errors_name_the_byte_offset() -> None:
    with pytest.raises(ParseError, match='Unsupported start tag "small" at byte offset 5'):
        parse_html("Fund <Small> Cap")
    with pytest.raises(ParseError, match='expected "</i>", found "</a>"'):
        parse_html('<a href="x"><i>y</a></i>')
