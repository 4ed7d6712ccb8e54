"""A Hong Kong digest on Thanksgiving from a real ``signalbot run``, exactly once across a restart.

Two real bot processes one after the other (Slack over HTTP against the fake Slack), their
clocks moved by libfaketime to Thanksgiving 2026 (New York closed, Hong Kong trading): the first
starts at 16:30 Hong Kong time and posts the Hong Kong digest of 2026-11-26; it is stopped and
a second starts ten minutes later. A channel subscribed in between gets its digest from the
second process (so it ran its tick), and the first channel's digest is not posted again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.digest.slack_digest import slack_env
from tests.digest.test_clock_skew import FAKETIME_LIB, until
from tests.fakes.bot_process import start_bot, stop_bot
from tests.fakes.slack import FakeSlack
from tests.signals.markets import market_bars, write_market_csv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
HK = "Asia/Hong_Kong"
THANKSGIVING = date(2026, 11, 26)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


async def subscribe_hk(url: str, channel: str) -> None:
    async with open_storage(url) as storage:
        await storage.set_watchlist("slack", "T0", ["2800.HK", "3033.HK"])
        await storage.upsert_subscription(
            "slack", "T0", channel, time=None, timezone=HK, market="XHKG", market_auto=True
        )


async def test_hong_kong_digest_on_thanksgiving_once_across_a_restart(
    db_url: str, tmp_path: Path, fake: FakeSlack
) -> None:
    if not await asyncio.to_thread(FAKETIME_LIB.exists):
        pytest.skip(f"libfaketime is not installed ({FAKETIME_LIB}; apt-get install faketime)")
    prices = tmp_path / "prices"
    prices.mkdir()
    for seed, ticker in enumerate(("2800.HK", "3033.HK")):
        write_market_csv(prices, ticker, market_bars(ticker, end=THANKSGIVING, seed=seed))
    await subscribe_hk(db_url, "C00000001")
    env = slack_env(
        tmp_path, prices, db_url, fake.api_url, lease="30",
        LD_PRELOAD=str(FAKETIME_LIB),
        FAKETIME_DONT_FAKE_MONOTONIC="1",  # asyncio's timeouts keep real time
    )  # fmt: skip
    env["SIGNALBOT_DIGEST_GRACE_HOURS"] = "6"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = await start_bot(dict(env, FAKETIME="@2026-11-26 08:30:00"), first_log)
    try:
        await until(lambda: fake.per_channel()["C00000001"] >= 1, lambda: first_log.read_text())
    finally:
        await stop_bot(first)
    posted = fake.per_channel()["C00000001"]  # the digest's messages (text, heatmap)
    await subscribe_hk(db_url, "C00000002")
    second = await start_bot(dict(env, FAKETIME="@2026-11-26 08:40:00"), second_log)
    try:
        await until(lambda: fake.per_channel()["C00000002"] >= 1, lambda: second_log.read_text())
    finally:
        await stop_bot(second)
    assert fake.per_channel()["C00000001"] == posted, second_log.read_text()[-3000:]
    assert set(fake.per_channel()) == {"C00000001", "C00000002"}
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(THANKSGIVING)
    assert len(rows) == 2 and {r.state for r in rows} == {"sent"}
