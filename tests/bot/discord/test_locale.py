"""Public messages follow the server, private ones follow the reader."""

from __future__ import annotations

import re

import pytest

from bot.adapters.discord.locales import reader_language
from tests.fakes.discord import GUILD_ID, callback, guild_create, interaction, option

CJK = re.compile(r"[\u4e00-\u9fff]")


def text(record) -> str:
    return record.json["data"].get("content", "")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh-TW", "zh-hant"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr", None),
        ("ja", None),
    ],
)
def test_reader_languages(locale, expected):
    """zh-CN (Simplified), zh-TW (Traditional) and English locales have a reader language; others
    follow the server."""
    assert reader_language(locale) == expected


async def test_a_chinese_reader_in_an_english_server(make_bot):
    """zh-CN member, English server: the card (public) is English, the error (private) Chinese."""
    bot = await make_bot(language="en")
    card = callback(await bot.send(interaction("signal", option("ticker", "IWM"), locale="zh-CN")))
    assert not (card.json["data"].get("flags", 0) & 64)
    assert not CJK.search(str(card.json["data"]["embeds"]))
    error = callback(
        await bot.send(interaction("signal", option("ticker", "ZZZZ"), locale="zh-CN"))
    )
    assert error.json["data"]["flags"] & 64
    assert CJK.search(text(error)) and "No price data" not in text(error)
    help_ = callback(await bot.send(interaction("help", locale="zh-CN")))
    assert "可用命令" in text(help_) and "Commands" not in text(help_)


async def test_a_french_reader_gets_the_server_language(make_bot):
    """A locale without a catalog: private replies use the server's language."""
    bot = await make_bot(language="en")
    await bot.store.set_language("discord", str(GUILD_ID), "zh")
    error = callback(await bot.send(interaction("signal", option("ticker", "ZZZZ"), locale="fr")))
    assert CJK.search(text(error)) and "No price data" not in text(error)


async def test_dms_use_the_readers_locale_for_everything(make_bot):
    """In a DM there is no server to follow: even the card is in the reader's language."""
    bot = await make_bot(language="en")
    payload = interaction("signal", option("ticker", "IWM"), guild_id=None, locale="zh-TW")
    card = callback(await bot.send(payload))
    assert CJK.search(str(card.json["data"]["embeds"]))


async def test_about_explains_the_rule(make_bot):
    """/about says whose language each kind of message uses."""
    bot = await make_bot(language="en")
    about = text(callback(await bot.send(interaction("about", locale="en-US"))))
    assert "public messages (cards, digests) follow the server" in about


async def join(bot, guild_id: int, locale: str) -> None:
    """GUILD_CREATE of a newly joined guild whose community locale is ``locale``."""
    import discord

    guild = guild_create(guild_id)
    guild["preferred_locale"] = locale
    state = bot.adapter.client._connection
    await bot.adapter.on_guild_join(discord.Guild(data=guild, state=state))


async def test_a_new_guild_starts_in_its_locale(make_bot):
    """GUILD_CREATE of a newly joined zh-CN community: its first language is Chinese; a guild
    that already chose one keeps it."""
    bot = await make_bot(language="both")
    await join(bot, GUILD_ID + 7, "zh-CN")
    assert await bot.store.get_language("discord", str(GUILD_ID + 7), "?") == "zh"
    await bot.store.set_language("discord", str(GUILD_ID + 8), "en")
    await join(bot, GUILD_ID + 8, "zh-TW")
    assert await bot.store.get_language("discord", str(GUILD_ID + 8), "?") == "en"


async def test_a_new_taiwan_guild_starts_in_traditional(make_bot):
    """GUILD_CREATE of a newly joined zh-TW community: its first language is Traditional."""
    bot = await make_bot(language="both")
    await join(bot, GUILD_ID + 9, "zh-TW")
    assert await bot.store.get_language("discord", str(GUILD_ID + 9), "?") == "zh-hant"
