"""Helpers of the ops tests: a clean environment, polling an HTTP endpoint until it answers
(ports from the OS: :func:`tests.support.any_port` and :func:`tests.support.bound_port`)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp
import pytest


@pytest.fixture(autouse=True)
def _no_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read DISCORD_* / SLACK_* / SIGNALBOT_* variables; tests see only what they pass."""
    for name in list(os.environ):
        if name.startswith(("DISCORD_", "SLACK_", "TELEGRAM_", "SIGNALBOT_")):
            monkeypatch.delenv(name)


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
