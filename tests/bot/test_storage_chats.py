"""A chat's rows as a whole (Telegram): paused, resumed, and moved to a new id with nothing lost,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.adapters.base import ChannelGone
from bot.adapters.telegram.failures import bot_status_changed
from bot.alerts.runner import AlertRunner
from bot.storage import DeliveryKey, Storage
from signals.service import PriceService
from tests.bot.test_alerts import Poster, prices  # noqa: F401  (the fixture)
from tests.fakes.market import WORKED_SESSION

SESSION = date(2026, 6, 8)


async def _chat(storage: Storage, chat: str, *, tickers: tuple[str, ...] = ("IWM",)) -> int:
    await storage.set_language("telegram", chat, "zh-hant")
    await storage.set_colors("telegram", chat, "red-up")
    await storage.set_watchlist("telegram", chat, ["0050.TW", "IWM"])
    sub = await storage.upsert_subscription(
        "telegram", chat, chat, time="17:00", timezone="Asia/Taipei", language="both-hant"
    )
    for ticker in tickers:
        assert await storage.add_alert("telegram", chat, chat, ticker, user_id="7", limit=10)
    return sub.id


async def test_move_chat_keeps_everything(storage: Storage) -> None:
    sub_id = await _chat(storage, "-5", tickers=("IWM", "SPY"))
    await storage.upsert_subscription("telegram", "9", "9", time=None, timezone="UTC")
    key = DeliveryKey(sub_id, SESSION, 1)
    assert await storage.claim(key, "i-1", parts=1)
    await storage.mark_sent(sub_id, SESSION, ["42"], part=1)

    moved = await storage.move_chat("telegram", "-5", "-1005")

    assert (moved.servers, moved.subscriptions, moved.alerts, moved.merged_alerts) == (1, 1, 2, 0)
    assert await storage.get_language("telegram", "-1005", "en") == "zh-hant"
    assert await storage.get_colors("telegram", "-1005") == "red-up"
    assert await storage.get_watchlist("telegram", "-1005") == ["0050.TW", "IWM"]
    sub = await storage.get_subscription(sub_id)  # the same id: its ledger stays with it
    assert sub is not None and (sub.server_id, sub.channel_id) == ("-1005", "-1005")
    assert (sub.time, sub.timezone, sub.language, sub.enabled) == (
        "17:00",
        "Asia/Taipei",
        "both-hant",
        True,
    )
    row = await storage.get_delivery(sub_id, SESSION)
    assert row is not None and row.state == "sent" and row.message_ids == ("42",)
    alerts = await storage.list_alerts("telegram")
    assert {(a.server_id, a.channel_id, a.ticker) for a in alerts} == {
        ("-1005", "-1005", "IWM"),
        ("-1005", "-1005", "SPY"),
    }
    assert await storage.list_subscriptions("telegram", "-5", enabled_only=False) == []
    assert await storage.list_alerts("telegram", "-5") == []
    others = await storage.list_subscriptions("telegram", "9")
    assert [s.channel_id for s in others] == ["9"]  # another chat is untouched
    assert await storage.move_chat("telegram", "-5", "-1005") == type(moved)()  # twice: no-op


async def test_move_chat_merges_with_what_the_new_chat_has(storage: Storage) -> None:
    """Someone used the supergroup before the migration was seen: both are kept, merged."""
    sub_id = await _chat(storage, "-5", tickers=("IWM", "SPY"))
    await storage.set_language("telegram", "-1005", "en")
    later = storage.now() + timedelta(minutes=5)
    storage._clock = lambda: later  # the supergroup's schedule is the newer one
    newer = await storage.upsert_subscription(
        "telegram", "-1005", "-1005", time="08:30", timezone="Asia/Hong_Kong"
    )
    await storage.add_alert("telegram", "-1005", "-1005", "SPY", user_id="8", limit=10)

    moved = await storage.move_chat("telegram", "-5", "-1005")

    assert (moved.alerts, moved.merged_alerts) == (1, 1)
    assert await storage.get_language("telegram", "-1005", "zh") == "en"  # its own choice kept
    assert await storage.get_colors("telegram", "-1005") == "red-up"  # the rest from the group
    subs = await storage.list_subscriptions("telegram", enabled_only=False)
    assert [(s.id, s.channel_id, s.time, s.timezone) for s in subs] == [
        (sub_id, "-1005", "08:30", "Asia/Hong_Kong")
    ]
    assert await storage.get_subscription(newer.id) is None
    tickers = sorted(a.ticker for a in await storage.list_alerts("telegram", "-1005"))
    assert tickers == ["IWM", "SPY"]


async def test_pause_and_resume_a_chat(storage: Storage) -> None:
    sub_id = await _chat(storage, "-5", tickers=("IWM", "SPY"))
    other = await _chat(storage, "-6")
    assert await storage.pause_chat("telegram", "-5", "bot was kicked") == (1, 2)
    assert await storage.pause_chat("telegram", "-5", "bot was kicked") == (0, 0)  # already
    sub = await storage.get_subscription(sub_id)
    assert sub is not None and sub.enabled and sub.paused_reason == "bot was kicked"
    assert {a.paused_reason for a in await storage.list_alerts("telegram", "-5")} == {
        "bot was kicked"
    }
    assert {a.paused_reason for a in await storage.list_alerts("telegram", "-6")} == {None}
    untouched = await storage.get_subscription(other)
    assert untouched is not None and untouched.paused_reason is None
    assert await storage.resume_chat("telegram", "-5") == (1, 2)
    assert await storage.resume_chat("telegram", "-5") == (0, 0)
    sub = await storage.get_subscription(sub_id)
    assert sub is not None and sub.paused_reason is None
    assert {a.paused_reason for a in await storage.list_alerts("telegram", "-5")} == {None}


async def test_a_paused_chat_gets_no_alert_until_resumed(
    storage: Storage,
    prices: PriceService,  # noqa: F811
) -> None:
    """The alert runner skips a paused alert (no post, no claim) and posts it once resumed, as
    Telegram HTML (the channel's payload)."""
    await _chat(storage, "7", tickers=("IWM", "SPY"))
    await storage.pause_chat("telegram", "7", "bot was blocked by the user")
    poster = Poster("telegram")
    report = await AlertRunner(storage, prices, {"telegram": poster}).run(WORKED_SESSION)
    assert poster.posts == [] and report.sent == 0
    assert await storage.alert_states(WORKED_SESSION) == {}
    await storage.resume_chat("telegram", "7")
    report = await AlertRunner(storage, prices, {"telegram": poster}).run(WORKED_SESSION)
    [(chat, payload)] = poster.posts
    assert chat == "7" and report.sent == 2 and payload["method"] == "sendMessage"
    assert payload["text"].startswith("<b>") and "IWM" in payload["text"]


async def test_the_bots_status_pauses_resumes_and_names_who_to_tell(storage: Storage) -> None:
    """``my_chat_member``: kicked pauses with Telegram's wording, added back resumes; the people
    who set the chat up are named once (a blocked private chat has nobody else to tell)."""
    sub_id = await _chat(storage, "-5", tickers=("IWM",))
    await storage.set_created_by("telegram", "-5", "-5", "8")
    kicked = await bot_status_changed(storage, "-5", "supergroup", "kicked")
    assert (kicked.paused, kicked.subscriptions, kicked.alerts) == (True, 1, 1)
    assert kicked.reason == "Forbidden: bot was kicked from the supergroup chat"
    assert kicked.tell == ("8", "7")
    again = await bot_status_changed(storage, "-5", "supergroup", "left")
    assert (again.subscriptions, again.alerts, again.tell) == (0, 0, ())  # nobody told twice
    back = await bot_status_changed(storage, "-5", "supergroup", "member")
    assert (back.paused, back.subscriptions, back.alerts, back.tell) == (False, 1, 1, ("8", "7"))
    sub = await storage.get_subscription(sub_id)
    assert sub is not None and sub.enabled and sub.paused_reason is None

    await _chat(storage, "7")
    blocked = await bot_status_changed(storage, "7", "private", "kicked")
    assert blocked.reason == "Forbidden: bot was blocked by the user" and blocked.tell == ()
    muted = await bot_status_changed(storage, "-5", "supergroup", "restricted", can_send=False)
    assert muted.paused and "restricted" in (muted.reason or "")


async def test_alerts_of_a_gone_chat_pause_and_adding_one_again_resumes_it(
    storage: Storage,
    prices: PriceService,  # noqa: F811
) -> None:
    """A chat not found is not tried every tick: its alerts pause; /alert add resumes one."""
    await _chat(storage, "-404", tickers=("IWM", "SPY"))
    poster = Poster("telegram")

    async def gone(channel_id: str, payload: Any, files: Any = (), *, server_id: Any = None) -> str:
        raise ChannelGone(channel_id, "Bad Request: chat not found")

    poster.send_message = gone  # type: ignore[method-assign]
    report = await AlertRunner(storage, prices, {"telegram": poster}).run(WORKED_SESSION)
    assert report.failed == 2
    alerts = await storage.list_alerts("telegram")
    assert {a.paused_reason for a in alerts} == {"gone: Bad Request: chat not found"}
    assert await storage.add_alert("telegram", "-404", "-404", "IWM", user_id="7", limit=10) == (
        "duplicate"
    )
    paused = {a.ticker: a.paused_reason for a in await storage.list_alerts("telegram")}
    assert paused == {"IWM": None, "SPY": "gone: Bad Request: chat not found"}
