"""Every interaction gets at most one answer: dead interactions are logged once, never retried."""

from __future__ import annotations

import logging

import pytest

from tests.bot.discord.conftest import SlowSource
from tests.fakes.discord import (
    APPLICATION_ID,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    interaction,
    option,
)


def signal(ticker: str = "IWM"):
    """A /signal interaction."""
    return interaction("signal", option("ticker", ticker))


def callback_path(payload) -> str:
    return f"/interactions/{payload['id']}/{payload['token']}/callback"


def assert_logged_once_without_traceback(caplog, code: int) -> None:
    warnings = [r for r in caplog.records if "could not be answered" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING
    assert f"code {code}" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("code", [10062, 40060])
async def test_a_refused_first_response_is_a_warning_not_retried(make_bot, fake, caplog, code):
    """10062 (expired) / 40060 (answered elsewhere) on the first response: one warning without a
    traceback, no second answer, and the cooldown is refunded (nothing reached the user)."""
    caplog.set_level(logging.INFO)
    bot = await make_bot(cooldown=60)
    payload = signal()
    if code == 10062:
        fake.script("POST", callback_path(payload), 404, UNKNOWN_INTERACTION)
    else:
        fake.acknowledged.add(payload["id"])  # another process answered it first
    calls = await bot.send(payload)
    assert [c.path for c in calls] == [callback_path(payload)]  # one try, no error reply after
    assert_logged_once_without_traceback(caplog, code)
    again = signal()
    [answer] = await bot.send(again)
    assert answer.json["type"] == 4 and answer.json["data"]["embeds"]  # not on cooldown


async def test_an_expired_follow_up_token_is_logged_once(make_bot, fake, prices, caplog):
    """A deferred /signal whose follow-up fails with 50027: logged once, no retry, refunded."""
    caplog.set_level(logging.INFO)
    bot = await make_bot(source=SlowSource(prices, delay=0.6), defer_after=0.1, cooldown=60)
    payload = signal()
    fake.script(
        "POST", f"/webhooks/{APPLICATION_ID}/{payload['token']}", 401, INVALID_WEBHOOK_TOKEN
    )
    calls = await bot.send(payload)
    assert [c.method for c in calls] == ["POST", "POST"]  # the defer, one follow-up, nothing more
    assert calls[0].json == {"type": 5}
    assert_logged_once_without_traceback(caplog, 50027)
    assert bot.adapter.handler.cooldown.retry_after(str(payload["member"]["user"]["id"])) == 0


async def test_a_second_response_to_one_interaction_is_refused_by_the_fake(fake):
    """The fake behaves like Discord: one initial response per interaction, then 40060."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}/interactions/1/tok/callback"
        first = await session.post(url, json={"type": 4, "data": {"content": "a"}})
        second = await session.post(url, json={"type": 4, "data": {"content": "b"}})
        assert first.status == 200
        assert second.status == 400 and (await second.json())["code"] == 40060


async def test_a_dead_cooldown_refusal_keeps_the_cooldown(make_bot, fake, caplog):
    """A /signal refused for its cooldown whose refusal hits 10062: logged once, and the
    running cooldown stays (that request never charged it, so nothing is refunded)."""
    caplog.set_level(logging.INFO)
    bot = await make_bot(cooldown=60)
    await bot.send(signal())  # charged
    refused = signal()
    fake.script("POST", callback_path(refused), 404, UNKNOWN_INTERACTION)
    await bot.send(refused)
    assert_logged_once_without_traceback(caplog, 10062)
    user = str(refused["member"]["user"]["id"])
    assert bot.adapter.handler.cooldown.retry_after(user) > 0
