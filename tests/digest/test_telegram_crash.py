"""kill -9 of a real ``python -m bot digest run`` posting to Telegram chats, then a restart:
every chat holds exactly one message per part.

Telegram cannot be asked what a bot posted (no history, no idempotency key), so the two points
where a crash must leave exactly one message are the ones the ledger alone decides (the fake's
:class:`~tests.fakes.gate.Gate` holds the bot there; no clock decides where the kill lands):

- ``before the post``: every first post waits at the fake before it is stored; after the kill
  those posts are refused (the platform never had them) and the restart posts each once;
- ``after the mark``: the text parts are posted and marked sent, the heatmap photos wait before
  they are stored; the restart posts the photos once and never the marked text again.

The third point, posted but not marked, is the window Telegram leaves open: the restart posts
again and says "possible duplicate" (docs/telegram-delivery.md); it is not asserted here.
"""

from __future__ import annotations

import asyncio
import collections
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage import open_storage
from tests.digest.test_crash import BOUND, end, start_run, until
from tests.fakes.bot_process import bot_env
from tests.fakes.gate import Gate
from tests.fakes.market import last_session_now, write_price_dir
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram, TelegramError

pytestmark = pytest.mark.slow
CHATS = [-101, -102, -103, -104, -105]


class PhotoGatedTelegram(FakeTelegram):
    """The fake Telegram, with a gate that holds only ``sendPhoto`` before it is stored."""

    photo_gate: Gate | None = None

    async def _send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        gate = self.photo_gate
        if method == "sendPhoto" and gate is not None and not await gate.wait():
            raise TelegramError(500, "Internal Server Error: sender gone")
        return await super()._send(method, params)


@pytest.fixture
async def fake() -> AsyncIterator[PhotoGatedTelegram]:
    server = PhotoGatedTelegram()
    await server.start()
    for chat in CHATS:
        server.group(chat)
    yield server
    for gate in (server.gate, server.photo_gate):
        if gate is not None:
            gate.open(drop=True)
    await server.stop()


def per_chat(fake: FakeTelegram) -> dict[int, list[str]]:
    return {chat: [s.method for s in fake.sent_to(chat)] for chat in CHATS}


@pytest.mark.parametrize("point", ["before the post", "after the mark"])
async def test_kill_9_then_restart_leaves_exactly_one_message_per_part(
    db_url: str, tmp_path: Path, fake: PhotoGatedTelegram, point: str
) -> None:
    session = last_session_now()
    async with open_storage(db_url) as storage:
        for chat in CHATS:
            await storage.set_watchlist("telegram", str(chat), ["SPY", "QQQ", "IWM", "TLT"])
            await storage.upsert_subscription(
                "telegram", str(chat), str(chat), time=None, timezone="America/New_York"
            )
    prices = write_price_dir(tmp_path / "prices", {"SPY": 2.4, "QQQ": 2.0, "IWM": 1.0, "TLT": 0.3})
    env = bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=db_url,
        SIGNALBOT_LOG_LEVEL="INFO",
        SIGNALBOT_DIGEST_LEASE_SECONDS="3",
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        PTB_TIMEDELTA="1",
    )
    log = tmp_path / "bot.log"
    gate = Gate("store")
    if point == "before the post":
        fake.gate = gate
    else:
        fake.photo_gate = gate

    first = await start_run(env, session.isoformat(), log)
    try:
        await until(lambda: gate.waiting >= len(CHATS), "every chat's post held", first)
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.communicate(), BOUND)
    finally:
        await end(first)
    assert first.returncode == -signal.SIGKILL
    gate.open(drop=True)  # what the dead process sent is refused: Telegram never had it
    await until(lambda: fake.connections == 0, "the fake idle", None)
    fake.gate = fake.photo_gate = None
    if point == "before the post":
        assert fake.sent == []
    else:
        assert per_chat(fake) == {chat: ["sendMessage"] for chat in CHATS}
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    marked = collections.Counter((r.part, r.state) for r in rows)
    if point == "after the mark":
        assert marked[(1, "sent")] == len(CHATS) and marked[(2, "claimed")] == len(CHATS)

    second = await start_run(env, session.isoformat(), log)
    try:
        out, _ = await asyncio.wait_for(second.communicate(), BOUND * 2)
    finally:
        await end(second)
    text = log.read_text()
    assert second.returncode == 0, text[-3000:]
    assert per_chat(fake) == {chat: ["sendMessage", "sendPhoto"] for chat in CHATS}, out
    async with open_storage(db_url) as storage:
        rows = await storage.deliveries_for(session)
    assert {r.state for r in rows} == {"sent"} and len(rows) == 2 * len(CHATS)
    # each part the dead process held is retried with one warning; a marked part never is
    assert text.count("possible duplicate") == len(CHATS), text[-3000:]
    assert BOT_TOKEN.split(":", 1)[1] not in text
