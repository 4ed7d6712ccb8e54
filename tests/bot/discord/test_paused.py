"""Permission problems pause a digest (retried next session, resumes by itself); 10003 disables."""

from __future__ import annotations

from pathlib import Path

from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.dispatch import Dispatcher
from commands.context import Services
from signals.calendar import MarketCalendar
from signals.service import PriceService
from signals.sources.csv import CsvSource
from tests.fakes.discord import GUILD_ID
from tests.fakes.market import last_session_now

CHANNEL = "700000000000000077"
PATH = f"/channels/{CHANNEL}/messages"
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}


async def _runner(bot, prices: Path) -> tuple[DigestRunner, PriceService]:
    service = PriceService(CsvSource(prices), MarketCalendar(), store=bot.store)
    runner = DigestRunner(bot.store, service, {"discord": bot.adapter}, heatmaps=False, rates={})
    return runner, service


async def test_missing_permissions_pause_then_resume(make_bot, fake, prices):
    """50013 pauses (still enabled, status names the channel and the reason); the next session's
    post succeeds and the pause clears by itself."""
    bot = await make_bot()
    store = bot.store
    sub = await store.upsert_subscription(
        "discord", str(GUILD_ID), CHANNEL, time=None, timezone="UTC"
    )
    runner, service = await _runner(bot, prices)
    session = last_session_now()
    earlier = service.calendar.previous_session(session)
    fake.script("POST", PATH, 403, MISSING_PERMISSIONS)
    report = await runner.run([Target(sub, earlier)])
    assert (report.paused, report.failed, report.gone, report.sent) == (1, 0, 0, 0)
    paused = await store.get_subscription(sub.id)
    assert paused is not None and paused.enabled
    assert paused.paused_reason and "missing permission" in paused.paused_reason
    assert (await store.get_delivery(sub.id, earlier)).state == "failed"
    again = await runner.run([Target(paused, earlier)])  # same session: not hammered again
    assert again.skipped == 1 and len(fake.calls("POST", PATH)) == 1

    status = await Dispatcher(Services(prices=service, settings=store, default_language="en")).run(
        "digest",
        {"action": "status"},
        platform="discord",
        server_id=str(GUILD_ID),
        channel_id=CHANNEL,
        user_id="1",
        is_admin=True,
    )
    from bot.adapters.discord.render import outgoing

    [text] = [m.content for m in await outgoing(status)]
    assert f"<#{CHANNEL}>" in text and "Paused" in text and "missing permission" in text
    assert "700000000000000077:" not in text  # no raw id

    report = await runner.run([Target(paused, session)])
    assert report.sent == 1
    resumed = await store.get_subscription(sub.id)
    assert resumed is not None and resumed.enabled and resumed.paused_reason is None


async def test_unknown_channel_disables(make_bot, fake, prices):
    """10003 Unknown Channel: the channel is gone, the subscription is disabled."""
    bot = await make_bot()
    sub = await bot.store.upsert_subscription(
        "discord", str(GUILD_ID), CHANNEL, time=None, timezone="UTC"
    )
    runner, _ = await _runner(bot, prices)
    fake.script("POST", PATH, 404, {"message": "Unknown Channel", "code": 10003})
    report = await runner.run([Target(sub, last_session_now())])
    assert report.gone == 1
    gone = await bot.store.get_subscription(sub.id)
    assert gone is not None and not gone.enabled and gone.paused_reason is None
