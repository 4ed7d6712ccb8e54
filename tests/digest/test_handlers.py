"""``/digest`` through the dispatcher: permissions, validation, storage effects, replies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.terminal import parse_line
from bot.dispatch import Dispatcher, Outcome
from bot.storage import DEFAULT_WATCHLIST, Storage
from commands.context import Services
from commands.digest import DigestReply, SubscriptionStore
from commands.registry import REGISTRY, usage
from formatting.i18n import ChannelRef, Term
from formatting.messages import message_text
from signals.service import PriceService
from tests.digest.conftest import SESSION

NOW = datetime(2026, 6, 9, 14, 0, tzinfo=UTC)  # Tuesday morning in New York: 06-08 closed


@pytest.fixture
def dispatcher(storage: Storage, prices: PriceService) -> Dispatcher:
    services = Services(prices=prices, settings=storage, about_source="csv")
    return Dispatcher(services, clock=lambda: NOW)


async def run(
    dispatcher: Dispatcher, *, admin: bool = True, platform: str = "discord", **args: str
) -> Outcome:
    args.setdefault("channel", "c1")
    return await dispatcher.run(
        "digest", args, platform=platform, server_id="g1", user_id="u1", is_admin=admin
    )


def keys(outcome: Outcome) -> list[str]:
    for message in outcome.reply.messages:  # every reply renders in every language
        message_text(message.key, message.params, "both")
    return [m.key for m in outcome.reply.messages]


def test_storage_satisfies_the_protocol(storage: Storage) -> None:
    """bot.storage.Storage is a SubscriptionStore."""
    assert isinstance(storage, SubscriptionStore)


@pytest.mark.parametrize("action", ["schedule", "watchlist", "off", "preview"])
async def test_changes_and_previews_need_an_admin(
    dispatcher: Dispatcher, storage: Storage, action: str
) -> None:
    """Non-admins get the permission error and nothing changes."""
    outcome = await run(dispatcher, admin=False, action=action, tickers="SPY", time="17:00")
    assert keys(outcome) == ["error.missing_permission"] and outcome.reply.ephemeral
    assert await storage.list_subscriptions(enabled_only=False) == []
    assert await storage.get_watchlist("discord", "g1") == list(DEFAULT_WATCHLIST)


async def test_status_is_for_everyone(dispatcher: Dispatcher) -> None:
    """Anyone may see the status: watchlist and 'no digest here'."""
    outcome = await run(dispatcher, admin=False, action="status")
    assert keys(outcome) == ["digest.status.watchlist", "digest.status.none"]
    assert outcome.reply.messages[0].params["tickers"] == "SPY QQQ IWM DIA TLT GLD"


async def test_schedule_default_and_custom_times(dispatcher: Dispatcher, storage: Storage) -> None:
    """No time: 30 min after the close; a time: HH:MM in its zone (New York by default)."""
    assert keys(await run(dispatcher, action="schedule")) == ["digest.scheduled_default"]
    [sub] = await storage.list_subscriptions()
    assert (sub.channel_id, sub.time, sub.timezone) == ("c1", None, "America/New_York")
    outcome = await run(dispatcher, action="schedule", time="8:05", timezone="Asia/Shanghai")
    assert keys(outcome) == ["digest.scheduled_at"]
    assert outcome.reply.messages[0].params == {
        "time": "08:05",
        "timezone": "Asia/Shanghai",
        "channel": ChannelRef("c1"),
    }
    [sub] = await storage.list_subscriptions()
    assert (sub.time, sub.timezone) == ("08:05", "Asia/Shanghai")
    await run(dispatcher, action="schedule", channel="c2", time="21:30")
    assert [(s.channel_id, s.timezone) for s in await storage.list_subscriptions()][1] == (
        "c2",
        "America/New_York",
    )


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ({"time": "25:00"}, "error.bad_time"),
        ({"time": "5pm"}, "error.bad_time"),
        ({"time": "17:00", "timezone": "Mars/Olympus"}, "error.bad_timezone"),
        ({"timezone": "EST5EDT; DROP"}, "error.bad_timezone"),
    ],
)
async def test_schedule_validation(
    dispatcher: Dispatcher, storage: Storage, args: dict[str, str], key: str
) -> None:
    """Bad times and zones are user errors with their keys; nothing is stored."""
    outcome = await run(dispatcher, action="schedule", **args)
    assert keys(outcome) == [key] and outcome.reply.ephemeral
    assert await storage.list_subscriptions(enabled_only=False) == []


async def test_unknown_action_and_missing_channel(dispatcher: Dispatcher) -> None:
    """An unknown action names itself; a platform request without a channel is refused."""
    assert keys(await run(dispatcher, action="explode")) == ["error.digest_action"]
    outcome = await dispatcher.run(
        "digest", {"action": "schedule"}, platform="discord", server_id="g1", is_admin=True
    )
    assert keys(outcome) == ["error.digest_channel"]


async def test_watchlist_set_reset_and_limits(dispatcher: Dispatcher, storage: Storage) -> None:
    """Tickers are parsed and stored; 'default' restores the default; bad input is refused."""
    outcome = await run(dispatcher, action="watchlist", tickers="spy, $qqq iwm SPY")
    assert keys(outcome) == ["digest.watchlist_set"]
    assert await storage.get_watchlist("discord", "g1") == ["SPY", "QQQ", "IWM"]
    too_many = " ".join(f"T{i}" for i in range(41))
    assert keys(await run(dispatcher, action="watchlist", tickers=too_many)) == [
        "error.too_many_tickers"
    ]
    assert keys(await run(dispatcher, action="watchlist", tickers="<!here>")) == [
        "error.invalid_ticker"
    ]
    assert await storage.get_watchlist("discord", "g1") == ["SPY", "QQQ", "IWM"]
    await run(dispatcher, action="watchlist", tickers="default")
    assert await storage.get_watchlist("discord", "g1") == list(DEFAULT_WATCHLIST)


async def test_off_and_status_with_last_delivery(dispatcher: Dispatcher, storage: Storage) -> None:
    """Status shows each channel's schedule and last delivery; off disables, twice is a no-op."""
    await run(dispatcher, action="schedule")
    await run(dispatcher, action="schedule", channel="c2", time="08:00", timezone="Asia/Shanghai")
    [first, _] = await storage.list_subscriptions()
    assert await storage.claim_delivery(first.id, SESSION, "me")
    assert await storage.mark_sent(first.id, SESSION, ["m1"])
    outcome = await run(dispatcher, admin=False, action="status")
    assert keys(outcome) == [
        "digest.status.watchlist",
        "digest.status.entry_default",
        "digest.status.market_auto",  # the default watchlist's market: New York
        "digest.state.sent",
        "digest.status.entry_at",
        "digest.status.market_auto",
        "digest.state.none",
    ]
    assert outcome.reply.messages[2].params["market"] == Term("market.XNYS")
    assert outcome.reply.messages[3].params == {"date": SESSION}
    assert keys(await run(dispatcher, action="off")) == ["digest.off"]
    assert keys(await run(dispatcher, action="off")) == ["digest.off_none"]
    assert [s.channel_id for s in await storage.list_subscriptions()] == ["c2"]
    assert "digest.status.off_because" in keys(await run(dispatcher, action="status"))


async def test_preview_is_the_digest_as_it_would_be_posted(
    dispatcher: Dispatcher, storage: Storage
) -> None:
    """Preview: an ephemeral DigestReply with the watchlist's digest and the same as messages."""
    await storage.set_watchlist("discord", "g1", ["IWM", "SPY", "NOPE"])
    outcome = await run(dispatcher, action="preview")
    reply = outcome.reply
    assert isinstance(reply, DigestReply) and reply.ephemeral
    assert reply.digest.session == SESSION
    assert [row.ticker for row in reply.digest.rows] == ["IWM", "SPY"]
    assert [i.ticker for i in reply.digest.issues] == ["NOPE"]
    listed = keys(outcome)
    assert listed[:2] == ["digest.preview_note", "digest.title"]
    assert listed.count("digest.row") == 2 and listed[-2:] == ["card.scope", "card.footer"]
    text = "\n".join(message_text(m.key, m.params, "both") for m in reply.messages)
    assert "IWM  $281.65  1D -3.55%" in text and "防御动能" in text
    only_bad = await run(dispatcher, action="preview", tickers="NOPE")
    assert keys(only_bad) == ["error.no_data"]


async def test_terminal_words_after_the_action(dispatcher: Dispatcher, storage: Storage) -> None:
    """The terminal passes '/digest schedule 17:00 Asia/Shanghai' as free text."""
    parsed = parse_line("/digest schedule 17:00 Asia/Shanghai")
    assert parsed is not None
    command, args = parsed
    outcome = await dispatcher.run(command, args, platform="terminal", server_id="local",
                                   is_admin=True)  # fmt: skip
    assert keys(outcome) == ["digest.scheduled_at"]
    [sub] = await storage.list_subscriptions()
    assert (sub.platform, sub.channel_id, sub.time, sub.timezone) == (
        "terminal",
        "console",
        "17:00",
        "Asia/Shanghai",
    )
    command, args = parse_line("/digest watchlist SPY TLT")  # type: ignore[misc]
    await dispatcher.run(command, args, platform="terminal", server_id="local", is_admin=True)
    assert await storage.get_watchlist("terminal", "local") == ["SPY", "TLT"]


def test_registered_with_help_and_options() -> None:
    """The registry has /digest with its action choices and optional time, zone and tickers."""
    spec = REGISTRY["digest"]
    assert usage(spec, "discord") == (
        "/digest schedule|watchlist|off|status|preview [TIME] [TIMEZONE] [MARKET] [TICKERS]"
    )
    assert [o.required for o in spec.options] == [True, False, False, False, False]


# --- digests follow a market (issue 21) ----------------------------------------------------


async def test_schedule_names_a_market(dispatcher: Dispatcher, storage: Storage) -> None:
    """``market:hk`` (Discord's option), ``hk`` or a MIC: the digest follows Hong Kong, 30
    minutes after its close; a time without a zone is Hong Kong time."""
    outcome = await run(dispatcher, action="schedule", market="hk")
    assert keys(outcome) == ["digest.scheduled_market"]
    assert outcome.reply.messages[0].params["market"] == Term("market.XHKG")
    [sub] = await storage.list_subscriptions()
    assert (sub.market, sub.market_auto, sub.time, sub.timezone) == (
        "XHKG",
        False,
        None,
        "Asia/Hong_Kong",
    )
    outcome = await run(dispatcher, action="schedule", market="XTKS", time="16:00")
    assert keys(outcome) == ["digest.scheduled_at_market"]
    [sub] = await storage.list_subscriptions()
    assert (sub.market, sub.time, sub.timezone) == ("XTKS", "16:00", "Asia/Tokyo")
    outcome = await run(dispatcher, action="schedule", market="us")
    assert keys(outcome) == ["digest.scheduled_default"]  # New York keeps its words
    [sub] = await storage.list_subscriptions()
    assert (sub.market, sub.timezone) == ("XNYS", "America/New_York")


@pytest.mark.parametrize(
    ("typed", "mic"),
    [("hk", "XHKG"), ("HK", "XHKG"), ("ｈｋ", "XHKG"), ("cn", "XSHG"), ("sz", "XSHE"),
     ("sh", "XSHG"), ("tw", "XTAI"), ("jp", "XTKS"), ("kr", "XKRX"), ("uk", "XLON"),
     ("eu", "XETR"), ("ca", "XTSE"), ("au", "XASX"), ("sg", "XSES"), ("in", "XNSE"),
     ("us", "XNYS"), ("xhkg", "XHKG"), ("market:hk", "XHKG")],
)  # fmt: skip
def test_market_names_people_use(typed: str, mic: str) -> None:
    from commands.validation import parse_market

    assert parse_market(typed) == mic


async def test_an_unknown_market_is_refused_and_nothing_changes(
    dispatcher: Dispatcher, storage: Storage
) -> None:
    outcome = await run(dispatcher, action="schedule", market="mars")
    assert keys(outcome) == ["error.unknown_market"]
    assert "hk" in str(outcome.reply.messages[0].params["names"])
    assert await storage.list_subscriptions(enabled_only=False) == []


async def test_the_default_market_follows_the_watchlist(
    dispatcher: Dispatcher, storage: Storage
) -> None:
    """No market named: the one the watchlist's tickers share, and it moves with the
    watchlist; a chosen market stays put."""
    await run(dispatcher, action="watchlist", tickers="2800.HK 3033.HK")
    await run(dispatcher, action="schedule")
    await run(dispatcher, action="schedule", channel="c2", market="us")
    [auto, chosen] = await storage.list_subscriptions()
    assert (auto.market, auto.market_auto, chosen.market) == ("XHKG", True, "XNYS")
    await run(dispatcher, action="watchlist", tickers="510300.SS 159915.SZ")
    [auto, chosen] = await storage.list_subscriptions()
    assert (auto.market, chosen.market) == ("XSHG", "XNYS")
    status = await run(dispatcher, admin=False, action="status")
    markets = [m.params.get("market") for m in status.reply.messages if "market" in m.key]
    assert markets == [Term("market.XSHG"), Term("market.XNYS")]
    assert "digest.status.market" in keys(status)


def test_terminal_words_name_a_market() -> None:
    """``/digest schedule 17:00 market hk`` on the terminal: the handler reads the words."""
    name, args = parse_line("/digest schedule 17:00 market hk")  # type: ignore[misc]
    assert (name, args) == ("digest", {"action": "schedule", "text": "17:00 market hk"})


async def test_terminal_schedule_with_a_market(dispatcher: Dispatcher, storage: Storage) -> None:
    outcome = await dispatcher.run(
        "digest",
        {"action": "schedule", "text": "17:00 market:jp"},
        platform="terminal",
        server_id="local",
        user_id="u1",
        is_admin=True,
    )
    assert keys(outcome) == ["digest.scheduled_at_market"]
    [sub] = await storage.list_subscriptions()
    assert (sub.market, sub.time, sub.timezone) == ("XTKS", "17:00", "Asia/Tokyo")
