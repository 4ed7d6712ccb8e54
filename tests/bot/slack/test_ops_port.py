"""Slack HTTP mode and the ops server share SIGNALBOT_HTTP_PORT inside run_bot."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import pytest

from bot.app import run_bot
from tests.bot.ops.conftest import get
from tests.bot.slack.support import slack_settings
from tests.fakes.slack import signed_headers, slash_body
from tests.support import any_port, bound_port


@pytest.mark.slow
async def test_one_port_answers_slack_events_and_health(fake, prices, tmp_path, caplog):
    """/slack/events (signed: 200, unsigned: 401) and /healthz, /readyz on the same port."""
    settings = slack_settings(
        fake, http_host="127.0.0.1", price_source=f"csv:{prices}", data_dir=tmp_path / "data"
    )
    task = asyncio.create_task(run_bot(any_port(settings, caplog)))
    try:
        base = f"http://127.0.0.1:{await bound_port(caplog)}"
        assert (await get(f"{base}/healthz"))[0] == 200
        async with asyncio.timeout(30):
            while True:  # ready once auth.test has passed and the adapter serves
                status, body = await get(f"{base}/readyz")
                if status == 200:
                    break
                await asyncio.sleep(0.05)
        assert body["adapters"] == {"slack": {"running": True}}
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/slack/events", data=b"") as response:
                assert response.status == 401
            body_text = slash_body("IWM", response_url=fake.response_url())
            async with session.post(
                f"{base}/slack/events", data=body_text.encode(), headers=signed_headers(body_text)
            ) as response:
                assert response.status == 200
        await fake.wait_for(lambda: len(fake.responses) == 1)
        assert fake.responses[0]["response_type"] == "in_channel"
    finally:
        os.kill(os.getpid(), signal.SIGTERM)  # run_bot's handler stops it
        code = await asyncio.wait_for(task, 30)
    assert code == 0


async def test_socket_mode_health_follows_the_connection(make_adapter, fake):
    """Socket Mode reports connected once the socket is up, and not after stop()."""
    adapter = await make_adapter(slack_app_token="xapp-test", slack_signing_secret=None)
    assert await adapter.health() == {"running": False, "socket_mode": False}
    runner = asyncio.create_task(adapter.run())
    async with asyncio.timeout(20):
        while await adapter.health() != {"running": True, "socket_mode": True}:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await adapter.stop()
    await asyncio.wait_for(runner, 10)
    assert await adapter.health() == {"running": False, "socket_mode": False}
