"""/history on Discord: the table as embeds per language, the chart attached, never a ping."""

from __future__ import annotations

import re

from tests.fakes.discord import GUILD_ID, PNG_SIGNATURE, callback, interaction, option

CJK = re.compile(r"[\u4e00-\u9fff]")


async def test_history_is_a_table_with_the_chart(make_bot):
    """/history IWM (English server): one embed, table in a code block, PNG, not a forecast."""
    bot = await make_bot(language="en")
    answer = callback(await bot.send(interaction("history", option("ticker", "IWM"))))
    data = answer.json["data"]
    assert data["allowed_mentions"] == {"parse": []}
    [embed] = data["embeds"]
    assert embed["title"] == "IWM: what happened after each regime"
    assert "```" in embed["description"] and "All sessions" in embed["description"]
    assert embed["footer"]["text"] == "This describes the past and is not a forecast."
    filename = embed["image"]["url"].removeprefix("attachment://")
    name, _kind, png = answer.files["files[0]"]
    assert name == filename and png.startswith(PNG_SIGNATURE)
    assert not CJK.search(str(data))


async def test_history_bilingual_says_not_a_forecast_twice(make_bot):
    """A bilingual server gets an English and a Chinese embed, each with its footer."""
    bot = await make_bot(language="en")
    await bot.store.set_language("discord", str(GUILD_ID), "both")
    data = callback(await bot.send(interaction("history", option("ticker", "IWM")))).json["data"]
    footers = [e["footer"]["text"] for e in data["embeds"]]
    assert footers == [
        "This describes the past and is not a forecast.",
        "以上为历史统计，过往表现不代表未来表现。",
    ]


async def test_history_bad_ticker_is_a_private_message(make_bot):
    """An unknown ticker: an ephemeral message naming it, no embed."""
    bot = await make_bot(language="en")
    data = callback(await bot.send(interaction("history", option("ticker", "NOPE")))).json["data"]
    assert data.get("flags", 0) & 64 and "NOPE" in data["content"] and not data.get("embeds")
