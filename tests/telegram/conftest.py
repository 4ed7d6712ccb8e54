"""Fixtures: the fake Telegram Bot API on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram import FakeTelegram


@pytest.fixture(autouse=True)
def _no_telegram_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings read TELEGRAM_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API, listening on 127.0.0.1."""
    server = await FakeTelegram().start()
    yield server
    await server.stop()
