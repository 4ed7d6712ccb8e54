"""Every command through the real client against the fake Bot API: private chats, groups
(``/signal@botname``), supergroups, the words without a slash, and the menus."""

from __future__ import annotations

from tests.fakes.telegram import BOT_USERNAME, FakeTelegram
from tests.telegram.conftest import Running

GROUP = -5001


async def test_signal_in_a_private_chat_is_a_photo_with_the_card(
    fake: FakeTelegram, running: Running
) -> None:
    fake.private(7, language_code="en")
    await running()
    fake.message(7, 7, "/signal IWM")
    await fake.wait_for(lambda: any("IWM" in s.text for s in fake.sent_to(7)))
    photo, *texts = fake.sent_to(7)
    assert photo.method == "sendPhoto" and photo.photo and photo.photo.startswith(b"\x89PNG")
    # the card is the photo's caption when it fits in 1,024 characters, else the next message
    card = photo if photo.text else texts[0]
    assert "IWM" in card.text and card.params["parse_mode"] == "HTML"
    assert card.parsed.of_type("bold")  # the title
    for text in texts:
        assert text.params["link_preview_options"] == {"is_disabled": True}


async def test_signal_at_the_bot_in_a_group(fake: FakeTelegram, running: Running) -> None:
    fake.group(GROUP, members=(8,))
    await running()
    fake.message(GROUP, 8, f"/signal@{BOT_USERNAME} IWM SPY")
    fake.message(GROUP, 8, "/signal@another_bot IWM")  # not for us
    await fake.wait_for(lambda: any("SPY" in s.text for s in fake.sent_to(GROUP)))
    await fake.wait_for(lambda: any("IWM" in s.text for s in fake.sent_to(GROUP)))
    fake.message(GROUP, 8, f"/about@{BOT_USERNAME}")
    await fake.wait_for(lambda: any("data" in s.text.lower() for s in fake.sent_to(GROUP)))
    photos = [s for s in fake.sent_to(GROUP) if s.method == "sendPhoto"]
    assert len(photos) == 2  # IWM and SPY; the other bot's command got nothing
    # in a group a reply answers the asker's message
    assert all("reply_parameters" in s.params for s in fake.sent_to(GROUP))


async def test_menus_in_english_and_chinese(fake: FakeTelegram, running: Running) -> None:
    await running()
    await fake.wait_for(lambda: bool(fake.commands_for("zh")))
    assert fake.commands_for("") == fake.commands_for("zh")
    assert {"signal", "history", "language", "colors", "digest", "alert", "help", "about"} <= set(
        fake.commands_for("")
    )
    assert "动量" in fake.commands[("default", "zh")][0]["description"]
