"""Slash commands through the real discord.py client: cards, languages, visibility, errors."""

from __future__ import annotations

import logging
import re
import statistics
import time

import pytest

from formatting.i18n import t
from tests.bot.discord.conftest import CrashingPrices, RateLimitedSource, SlowSource, dispatched
from tests.fakes.discord import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    GUILD_ID,
    MEMBER_ID,
    PNG_SIGNATURE,
    callback,
    content,
    interaction,
    option,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
EPHEMERAL = 64


def signal(ticker: str, **kwargs):
    """A /signal interaction."""
    return interaction("signal", option("ticker", ticker), **kwargs)


async def test_signal_card_is_an_embed_with_the_chart_attached(make_bot):
    """A cache miss that is fast: a type-4 answer with the card embed, PNG and no mentions."""
    bot = await make_bot(language="en")
    calls = await bot.send(signal("IWM"))
    answer = callback(calls)
    assert answer.json["type"] == 4
    data = answer.json["data"]
    assert data["allowed_mentions"] == {"parse": []}
    assert not data.get("flags", 0) & EPHEMERAL  # cards are public
    [embed] = data["embeds"]
    assert embed["title"] == "IWM momentum: defensive impulse"
    assert "**defensive impulse**" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Close"] == "$281.65"
    assert fields["1D"] == "-3.55%"
    assert embed["footer"]["text"].endswith("not investment advice.")
    filename = embed["image"]["url"].removeprefix("attachment://")
    assert re.fullmatch(r"IWM_\d{8}\.png", filename)
    assert data["attachments"][0]["filename"] == filename
    assert data["attachments"][0]["description"] == "IWM: defensive impulse"
    name, _kind, png = answer.files["files[0]"]
    assert name == filename and png.startswith(PNG_SIGNATURE) and len(png) > 5000
    assert not CJK.search(str(data))


@pytest.mark.parametrize(
    ("language", "embeds", "chinese", "english"),
    [
        ("zh", 1, True, False),
        ("both", 2, True, True),
    ],
)
async def test_card_follows_the_server_language(make_bot, language, embeds, chinese, english):
    """The stored server language picks the embeds: Chinese only, or English then Chinese."""
    bot = await make_bot(language="en")
    await bot.store.set_language("discord", str(GUILD_ID), language)
    answer = callback(await bot.send(signal("SPY")))
    data = answer.json["data"]
    assert len(data["embeds"]) == embeds
    text = str(data["embeds"])
    assert bool(CJK.search(text)) is chinese
    assert ("defensive impulse" in text) is english
    assert "防御动能" in str(data["embeds"][-1])
    assert data["embeds"][0]["image"]["url"].startswith("attachment://SPY_")


async def test_member_cannot_set_the_language(make_bot, caplog):
    """A member without Manage Server is refused by the bot itself (ephemeral); nothing stored."""
    bot = await make_bot(language="en")
    with caplog.at_level(logging.INFO):
        answer = callback(await bot.send(interaction("language", option("choice", "zh"))))
    assert dispatched(caplog) == []  # refused from interaction.permissions, before the handler
    assert answer.json["type"] == 4
    assert answer.json["data"]["flags"] & EPHEMERAL
    assert "do not have permission" in content(answer)
    assert answer.json["data"]["allowed_mentions"] == {"parse": []}
    assert await bot.store.get_language("discord", str(GUILD_ID), "unset") == "unset"


async def test_admin_sets_the_language_and_the_reply_uses_it(make_bot):
    """Manage Server may set zh: stored, confirmed publicly in Chinese; a member can read it."""
    bot = await make_bot(language="en")
    payload = interaction(
        "language", option("choice", "zh"), user_id=ADMIN_ID, permissions=ADMIN_PERMISSIONS
    )
    answer = callback(await bot.send(payload))
    assert not answer.json["data"].get("flags", 0) & EPHEMERAL
    assert "简体中文" in content(answer) and not re.search("[A-Za-z]{4}", content(answer))
    assert await bot.store.get_language("discord", str(GUILD_ID), "en") == "zh"
    shown = callback(await bot.send(interaction("language", locale="fr")))  # no reader language
    assert shown.json["data"]["flags"] & EPHEMERAL
    assert "简体中文" in content(shown)


async def test_direct_messages_use_the_users_own_settings(make_bot):
    """In a DM the user owns the settings (server id dm:<user>): setting works, no guild touched."""
    bot = await make_bot(language="both")
    answer = callback(
        await bot.send(interaction("language", option("choice", "en"), guild_id=None))
    )
    assert "Language set to English" in content(answer)
    assert await bot.store.get_language("discord", f"dm:{MEMBER_ID}", "?") == "en"
    assert await bot.store.get_language("discord", str(GUILD_ID), "?") == "?"


async def test_signal_cooldown_is_per_user(make_bot):
    """A second /signal within the cooldown is refused (ephemeral, seconds); others may go."""
    bot = await make_bot(cooldown=30.0)
    assert callback(await bot.send(signal("IWM"))).json["data"]["embeds"]
    refused = callback(await bot.send(signal("SPY")))
    assert refused.json["data"]["flags"] & EPHEMERAL
    match = re.search(r"try again in (\d+) s", content(refused))
    assert match and 28 <= int(match.group(1)) <= 30
    other = callback(await bot.send(signal("SPY", user_id=ADMIN_ID)))
    assert other.json["data"]["embeds"]


async def test_a_typo_does_not_use_up_the_cooldown(make_bot):
    """An invalid ticker never reaches the source, so the member can retry at once."""
    bot = await make_bot(cooldown=30.0)
    bad = callback(await bot.send(signal("IWM!!")))
    assert "is not a valid ticker" in content(bad)
    assert callback(await bot.send(signal("IWM"))).json["data"]["embeds"]


async def test_one_command_cannot_flood_the_channel(make_bot):
    """Six tickers (commas included) are refused before anything is posted."""
    bot = await make_bot(language="en")
    calls = await bot.send(signal("IWM,SPY,QQQ DIA TLT GLD"))
    refused = callback(calls)
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert "at most 5 per request" in content(refused)
    assert not [c for c in calls if c.path.endswith("/messages")]


@pytest.mark.parametrize(
    ("ticker", "source", "expected"),
    [
        ("IWM'; DROP TABLE servers;--", None, "is not a valid ticker"),
        ("ZZZZ", None, "No price data found for ZZZZ"),
        ("NEW", None, "Not enough price history for NEW: 10 daily closes"),
        ("IWM", RateLimitedSource(), "try again in about 2 min"),
    ],
)
async def test_signal_errors_are_specific_and_ephemeral(make_bot, ticker, source, expected):
    """Each failure is its own message, only for the asker, in the server's language."""
    bot = await make_bot(source=source, language="en")
    answer = callback(await bot.send(signal(ticker)))
    assert answer.json["data"]["flags"] & EPHEMERAL
    assert expected in content(answer)
    assert "embeds" not in answer.json["data"] or not answer.json["data"]["embeds"]
    assert "Traceback" not in content(answer)


async def test_errors_use_the_server_language(make_bot):
    """The same error in a Chinese server is Chinese only."""
    bot = await make_bot(language="en")
    await bot.store.set_language("discord", str(GUILD_ID), "zh")
    answer = callback(await bot.send(signal("ZZZZ", locale="fr")))  # French: the server's
    assert "找不到ZZZZ的价格数据" in content(answer)
    assert "No price data" not in content(answer)


async def test_a_crash_in_the_command_shows_an_id_that_is_logged(make_bot, caplog):
    """An unexpected exception: the user sees an error id, the log has it with the traceback."""
    bot = await make_bot(prices_cls=CrashingPrices)
    with caplog.at_level(logging.ERROR):
        answer = callback(await bot.send(signal("IWM")))
    assert answer.json["data"]["flags"] & EPHEMERAL
    error_id = re.search(r"error ID (\w+)", content(answer)).group(1)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "boom" not in content(answer) and "Traceback" not in content(answer)


async def test_a_crash_in_the_adapter_goes_through_on_error(make_bot, caplog, monkeypatch):
    """A failure while rendering (after the dispatcher) is caught by CommandTree.on_error."""
    import bot.adapters.discord.render as render

    def broken_chart(card, lang, colors=None):
        raise ValueError("chart renderer exploded")

    monkeypatch.setattr(render, "chart_png", broken_chart)
    bot = await make_bot()
    with caplog.at_level(logging.ERROR):
        answer = callback(await bot.send(signal("IWM")))
    assert answer.json["data"]["flags"] & EPHEMERAL
    error_id = re.search(r"error ID (\w+)", content(answer)).group(1)
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert "chart renderer exploded" in str(record.exc_info[1])


async def test_slow_source_defers_then_follows_up(make_bot, prices):
    """A fetch longer than 1.5 s: a thinking defer (type 5) at once, then the card follow-up."""
    bot = await make_bot(source=SlowSource(prices, delay=2.2), defer_after=1.5)
    payload = signal("IWM")
    began = time.perf_counter()
    calls = await bot.send(payload)
    answer = callback(calls)
    assert answer.json == {"type": 5}  # public thinking state
    assert 1.4 <= answer.at - began < 2.5
    [follow] = [c for c in calls if c.method == "POST" and c.path.startswith("/webhooks/")]
    assert follow.at > answer.at
    assert follow.json["embeds"][0]["image"]["url"].startswith("attachment://IWM_")
    assert follow.json["allowed_mentions"] == {"parse": []}
    assert follow.files["files[0]"][2].startswith(PNG_SIGNATURE)
    assert not [c for c in calls if c.method == "DELETE"]


async def test_slow_error_replaces_the_public_thinking_message(make_bot, prices):
    """Deferred publicly but the reply is an error: delete the thinking message, then ephemeral."""
    bot = await make_bot(source=SlowSource(prices, delay=0.8), defer_after=0.2)
    calls = await bot.send(signal("ZZZZ"))
    assert callback(calls).json == {"type": 5}
    methods = [(c.method, c.path.rsplit("/", 2)[-2:]) for c in calls[1:]]
    assert methods[0] == ("DELETE", ["messages", "@original"])
    follow = calls[-1]
    assert follow.method == "POST" and follow.json["flags"] & EPHEMERAL
    assert "No price data found for ZZZZ" in follow.json["content"]


async def test_partial_errors_follow_the_cards_privately(make_bot):
    """/signal IWM ZZZZ: the IWM card publicly, the ZZZZ error as an ephemeral follow-up."""
    bot = await make_bot()
    calls = await bot.send(signal("IWM ZZZZ"))
    answer = callback(calls)
    assert answer.json["data"]["embeds"][0]["title"].startswith("IWM momentum")
    follow = calls[-1]
    assert follow.path.startswith("/webhooks/") and follow.json["flags"] & EPHEMERAL
    assert "ZZZZ" in follow.json["content"]


async def test_help_and_about_are_ephemeral_text(make_bot):
    """/help lists the commands; /about carries the method, the source and the disclaimer."""
    bot = await make_bot(language="both")
    help_ = callback(await bot.send(interaction("help", locale="fr")))
    text = content(help_)
    assert help_.json["data"]["flags"] & EPHEMERAL
    assert text.startswith("**Commands**") and "**可用命令**" in text
    assert text.index("/signal TICKER") < text.index("可用命令")  # English block first
    about = content(callback(await bot.send(interaction("about", locale="fr"))))
    assert "daily closes" in about and "not investment advice" in about
    assert "不构成投资建议" in about


async def test_autocomplete_offers_watchlist_and_catalog(make_bot):
    """Typing 'SPY I' completes the second ticker: the watchlist first, then catalog funds."""
    bot = await make_bot()
    await bot.store.set_watchlist("discord", str(GUILD_ID), ["IWM", "IBIT9"])
    payload = interaction("signal", option("ticker", "SPY I", focused=True), kind=4)
    answer = callback(await bot.send(payload))
    assert answer.json["type"] == 8
    choices = answer.json["data"]["choices"]
    assert 0 < len(choices) <= 25
    assert [c["value"] for c in choices[:2]] == ["SPY IWM", "SPY IBIT9"]
    assert choices[0]["name"].startswith("SPY IWM — ")  # the label starts with the full value
    assert all(c["name"].startswith(c["value"]) for c in choices)
    assert all(c["value"].startswith("SPY ") and len(c["name"]) <= 100 for c in choices)
    catalog = [c["value"] for c in choices[2:]]
    assert "SPY IVV" in catalog  # a catalog fund by ticker prefix
    assert "SPY IWM" not in catalog  # no duplicate of the watchlist entry


async def test_commands_are_refused_while_stopping(make_bot):
    """After stop() began, a new command is told the bot is restarting (not left to fail)."""
    bot = await make_bot()
    await bot.adapter.handler.drain(0.1)
    answer = callback(await bot.send(signal("IWM")))
    assert "restarting" in content(answer) and answer.json["data"]["flags"] & EPHEMERAL


async def test_cache_hit_latency(make_bot):
    """A cache hit is answered directly (type 4), well inside the 3 s window."""
    bot = await make_bot(defer_after=1.5)
    await bot.send(signal("IWM"))  # warm the bar cache and matplotlib
    latencies = []
    for _ in range(20):
        payload = signal("IWM")
        began = time.perf_counter()
        answer = callback(await bot.send(payload))
        assert answer.json["type"] == 4
        latencies.append(answer.at - began)
    median = statistics.median(latencies)
    print(f"cache-hit latency median={median * 1000:.0f} ms max={max(latencies) * 1000:.0f} ms")
    assert median < 1.0


async def test_user_input_cannot_ping_or_format(make_bot):
    """Typed text quoted back in an error is escaped: no @everyone ping, no markdown."""
    bot = await make_bot()
    answer = callback(await bot.send(signal("@everyone **x**")))
    text = content(answer)
    assert "is not a valid ticker" in text
    assert "@everyone" not in text and "**x**" not in text
    assert answer.json["data"]["allowed_mentions"] == {"parse": []}


async def test_taiwan_users_get_private_replies_in_traditional(make_bot):
    """A zh-TW client in a Simplified server: its ephemeral errors are Traditional, cards are not."""
    bot = await make_bot(language="zh")
    answer = callback(await bot.send(signal("ZZZZ", locale="zh-TW")))
    assert answer.json["data"]["flags"] & EPHEMERAL
    assert content(answer) == t("error.no_data", "zh-hant", ticker="ZZZZ")
    assert "价格数据" not in content(answer)
    public = callback(await bot.send(signal("IWM", locale="zh-TW")))
    assert public.json["data"]["embeds"][0]["title"] == "IWM动量信号：防御动能"  # the server's
    mainland = callback(await bot.send(signal("ZZZZ", locale="zh-CN")))
    assert content(mainland) == t("error.no_data", "zh", ticker="ZZZZ")


async def test_colors_set_by_admins_colour_the_embed(make_bot):
    """/colors red-up (Manage Server) turns a defensive card green; members may only look."""
    bot = await make_bot(language="en")
    red_card = callback(await bot.send(signal("IWM")))
    assert red_card.json["data"]["embeds"][0]["color"] == 0xC62828  # defensive: red (green-up)
    refused = callback(await bot.send(interaction("colors", option("scheme", "red-up"))))
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert await bot.store.get_colors("discord", str(GUILD_ID)) is None
    shown = callback(await bot.send(interaction("colors")))
    assert "green up, red down" in content(shown) and "default" in content(shown)
    admin = interaction(
        "colors", option("scheme", "red-up"), user_id=ADMIN_ID, permissions=ADMIN_PERMISSIONS
    )
    done = callback(await bot.send(admin))
    assert content(done) == "Colours set to red up, green down."
    assert await bot.store.get_colors("discord", str(GUILD_ID)) == "red-up"
    green_card = callback(await bot.send(signal("IWM")))
    assert green_card.json["data"]["embeds"][0]["color"] == 0x2E7D32
