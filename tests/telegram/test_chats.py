"""Per-chat language and rights, channels as targets, and the bot's membership and moves."""

from __future__ import annotations

import pytest

from bot.adapters.base import PostingPaused
from bot.storage import Storage
from tests.fakes.telegram import BOT_USERNAME, FakeTelegram
from tests.telegram.conftest import Running

GROUP = -5001
CHANNEL = -1009001
ADMIN, MEMBER, OWNER = 21, 22, 23


def replied(fake: FakeTelegram, chat: int, words: str) -> bool:
    return any(words in s.text for s in fake.sent_to(chat))


async def test_a_private_chat_takes_the_language_of_its_user(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.private(7, language_code="zh-hans")
    fake.private(8, language_code="zh-hk")  # Hong Kong's own wording
    await running(language="both")
    fake.message(7, 7, "IWM")  # no slash in a private chat: the terminal's words
    fake.message(8, 8, "幫助")
    await fake.wait_for(lambda: replied(fake, 7, "动量") and bool(fake.sent_to(8)))
    assert await store.get_language("telegram", "7", "") == "zh"
    assert await store.get_language("telegram", "8", "") == "zh-hk"
    assert "/signal" in fake.sent_to(8)[0].text


async def test_words_that_are_no_command(fake: FakeTelegram, running: Running) -> None:
    fake.private(7)
    await running()
    fake.message(7, 7, "hello there <b>")
    fake.message(7, 7, "/sginal IWM")
    await fake.wait_for(lambda: len(fake.sent_to(7)) == 2)
    texts = sorted(s.text for s in fake.sent_to(7))
    assert any("/signal" in t and "Did you mean" in t for t in texts)
    assert any("hello there <b>" in t for t in texts)  # quoted back, escaped


async def test_only_group_admins_change_settings(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, kind="supergroup", creator=OWNER, admins=(ADMIN,), members=(MEMBER,))
    await running()
    fake.message(GROUP, MEMBER, f"/language@{BOT_USERNAME} zh")
    await fake.wait_for(lambda: replied(fake, GROUP, "administrators"))
    assert await store.get_language("telegram", str(GROUP), "") in ("", "en")
    fake.message(GROUP, ADMIN, "/language zh")
    await fake.wait_for(lambda: len(fake.sent_to(GROUP)) == 2)
    assert await store.get_language("telegram", str(GROUP), "") == "zh"
    fake.message(GROUP, OWNER, "/colors red-up")
    await fake.wait_for(lambda: len(fake.sent_to(GROUP)) == 3)
    assert await store.get_colors("telegram", str(GROUP)) == "red-up"
    assert [c.params["user_id"] for c in fake.of("getChatMember")] == [MEMBER, ADMIN, OWNER]


async def test_a_group_admin_schedules_a_digest_here(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, creator=OWNER, members=(MEMBER,))
    await running()
    fake.message(GROUP, MEMBER, "/digest schedule 16:30")
    await fake.wait_for(lambda: len(fake.sent_to(GROUP)) == 1)
    fake.message(GROUP, OWNER, "/digest schedule 16:30 America/New_York")
    await fake.wait_for(lambda: len(fake.sent_to(GROUP)) == 2)
    (sub,) = await store.list_subscriptions("telegram")
    assert (sub.server_id, sub.channel_id, sub.time) == (str(GROUP), str(GROUP), "16:30")


async def test_a_channel_is_configured_from_a_private_chat(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.private(ADMIN, language_code="zh-hant")
    fake.private(MEMBER)
    fake.group(CHANNEL, kind="channel", username="momentum_tw", creator=OWNER, admins=(ADMIN,),
               bot_status="administrator")  # fmt: skip
    fake.group(-1009002, kind="channel", username="no_bot_here", admins=(ADMIN,))
    await running()
    fake.message(MEMBER, MEMBER, "/digest schedule @momentum_tw")  # not an admin there
    fake.message(ADMIN, ADMIN, "/digest schedule @no_bot_here")  # the bot is no admin there
    fake.message(ADMIN, ADMIN, "/digest schedule @nowhere_at_all")
    await fake.wait_for(lambda: len(fake.sent_to(MEMBER)) == 1 and len(fake.sent_to(ADMIN)) == 2)
    assert "administrators" in fake.sent_to(MEMBER)[0].text
    assert any("找不到頻道" in s.text for s in fake.sent_to(ADMIN))
    fake.message(ADMIN, ADMIN, "/digest schedule @momentum_tw 17:00")
    await fake.wait_for(lambda: len(fake.sent_to(ADMIN)) == 3)
    (sub,) = await store.list_subscriptions("telegram")
    assert (sub.server_id, sub.channel_id) == (str(CHANNEL), str(CHANNEL))
    # the channel starts in the language of the admin who set it up
    assert await store.get_language("telegram", str(CHANNEL), "") == "zh-hant"


async def test_blocked_pauses_and_back_resumes(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, title="Momentum Club", creator=OWNER)
    fake.private(OWNER, language_code="en")
    adapter = await running()
    fake.message(GROUP, OWNER, "/digest schedule")
    await adapter.handlers.wait_handled(1)
    fake.bot_status(GROUP, "kicked", by=OWNER)
    await adapter.handlers.wait_handled(2)
    (sub,) = await store.list_subscriptions("telegram")
    assert sub.paused_reason == "Forbidden: bot was kicked from the group chat"
    assert "Momentum Club" in fake.sent_to(OWNER)[-1].text  # the admin who set it up is told
    assert "paused" in fake.sent_to(OWNER)[-1].text
    fake.bot_status(GROUP, "member", by=OWNER)
    await adapter.handlers.wait_handled(3)
    (sub,) = await store.list_subscriptions("telegram")
    assert sub.paused_reason is None and sub.enabled
    assert "back on" in fake.sent_to(OWNER)[-1].text


async def test_a_group_upgraded_to_a_supergroup_moves(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, creator=OWNER)
    adapter = await running()
    fake.message(GROUP, OWNER, "/language zh-hant")
    fake.message(GROUP, OWNER, "/digest schedule 17:00")
    await adapter.handlers.wait_handled(2)
    fake.migrate(GROUP, -100555, by=OWNER)  # two service messages: moved once, then nothing
    await adapter.handlers.wait_handled(4)
    assert await store.get_language("telegram", "-100555", "") == "zh-hant"
    (sub,) = await store.list_subscriptions("telegram")
    assert (sub.server_id, sub.channel_id, sub.time) == ("-100555", "-100555", "17:00")


async def test_deliveries_go_through_the_adapter(
    fake: FakeTelegram, running: Running, store: Storage
) -> None:
    fake.group(GROUP, creator=OWNER)
    fake.private(MEMBER).blocked = True
    adapter = await running()
    counted: list[tuple[str, str]] = []
    adapter.handlers.on_post = lambda kind, outcome: counted.append((kind, outcome))
    fake.message(GROUP, OWNER, "/digest schedule 17:00")
    await adapter.handlers.wait_handled(1)
    fake.group(-100777, kind="supergroup", creator=OWNER)
    fake.chats[GROUP].migrated_to = -100777  # found by a post before any service message
    body = {"method": "sendMessage", "text": "<b>Digest</b> S&amp;P", "preview_url": None}
    message_id = await adapter.send_message(str(GROUP), body)
    (posted,) = fake.sent_to(-100777)
    assert str(posted.message_id) == message_id and posted.text == "Digest S&P"
    (sub,) = await store.list_subscriptions("telegram")
    assert (sub.server_id, sub.channel_id) == ("-100777", "-100777")
    with pytest.raises(PostingPaused):
        await adapter.send_message(str(MEMBER), body)
    assert ("delivery", "ok") in counted and ("delivery", "failed") in counted


async def test_confirmations_name_the_chat_by_its_title_escaped(
    fake: FakeTelegram, running: Running
) -> None:
    """Not ``#-100…``: the channel's title from getChat, the group's from the message, with
    markup characters in them shown as typed (escaped for Telegram's HTML)."""
    fake.private(ADMIN)
    fake.group(CHANNEL, kind="channel", title="Momentum <TW> & _Co_", username="momentum_tw",
               creator=OWNER, admins=(ADMIN,), bot_status="administrator")  # fmt: skip
    fake.group(GROUP, title="Club *A* <b>", creator=OWNER)
    await running()
    fake.message(ADMIN, ADMIN, "/digest schedule @momentum_tw 17:00")
    fake.message(ADMIN, ADMIN, "/alert add @momentum_tw IWM")
    fake.message(GROUP, OWNER, "/digest schedule")
    await fake.wait_for(lambda: len(fake.sent_to(ADMIN)) == 2 and len(fake.sent_to(GROUP)) == 1)
    for sent in [*fake.sent_to(ADMIN), *fake.sent_to(GROUP)]:
        assert str(CHANNEL) not in sent.text and str(GROUP) not in sent.text
    for sent in fake.sent_to(ADMIN):  # the digest's and the alert's (in either order)
        assert "Momentum <TW> & _Co_" in sent.text and "&lt;TW&gt; &amp; _Co_" in sent.html
    (here,) = fake.sent_to(GROUP)
    assert "Club *A* <b>" in here.text and "&lt;b&gt;" in here.html
