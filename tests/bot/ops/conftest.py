"""Helpers of the ops tests: a port from the OS, polling an HTTP endpoint until it answers."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings


@pytest.fixture(autouse=True)
def _no_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read DISCORD_* / SLACK_* / SIGNALBOT_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("DISCORD_", "SLACK_", "TELEGRAM_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


def any_port(settings: Settings, caplog: pytest.LogCaptureFixture) -> Settings:
    """``settings`` with the HTTP server on port 0: the OS picks a free port as the server binds
    (:func:`bound_port` reads it back from the log), so nothing can take it in between. Set
    after loading: the variable itself must be 1 to 65535."""
    caplog.set_level(logging.INFO, logger="bot.ops.http")
    settings.ops.http_port = 0
    return settings


async def bound_port(caplog: pytest.LogCaptureFixture, *, limit: float = 30.0) -> int:
    """The port the ops server listens on, from its ``http listening`` line (polled)."""
    async with asyncio.timeout(limit):
        while True:
            for record in caplog.records:
                if record.name == "bot.ops.http" and record.msg.startswith("http listening"):
                    return int(record.args[1])  # type: ignore[index]  # (host, port, paths...)
            await asyncio.sleep(0.05)


async def get(url: str, *, limit: float = 30.0) -> tuple[int, Any]:
    """GET ``url`` once the server listens (polled, generous limit): (status, JSON or text)."""
    async with asyncio.timeout(limit), aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.content_type == "application/json":
                        return response.status, await response.json()
                    return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
