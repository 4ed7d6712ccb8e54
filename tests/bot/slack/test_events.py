"""Retried events are handled once; the Socket Mode watchdog notices a dropped connection."""

from __future__ import annotations

import asyncio
import logging

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.adapters.slack.events import RecentEvents
from bot.adapters.slack.watchdog import SocketWatchdog
from tests.fakes.slack import home_opened_body, signed_headers


async def until(check, seconds: float = 20.0) -> None:
    """Poll ``check()`` (a plain predicate) until true."""
    async with asyncio.timeout(seconds):
        for _ in range(10**9):
            if check():
                return
            await asyncio.sleep(0.05)


def request(body: str, retry_num: int | None = None) -> AsyncBoltRequest:
    headers = signed_headers(body, json_body=True, retry_num=retry_num)
    return AsyncBoltRequest(body=body, headers=headers)


async def test_retried_app_home_opened_publishes_once(adapter, fake, caplog):
    """Slack retries app_home_opened (X-Slack-Retry-Num 1 and 2, same event_id): every try is
    acked 200, the Home tab is published once; a new event id publishes again."""
    caplog.set_level(logging.INFO, logger="bot.adapters.slack.events")
    body = home_opened_body(event_id="Ev0RETRY")
    assert (await adapter.app.async_dispatch(request(body))).status == 200
    await fake.wait_for(lambda: len(fake.of("views.publish")) == 1)
    for retry in (1, 2):
        assert (await adapter.app.async_dispatch(request(body, retry))).status == 200
    await adapter.idle()
    assert any(
        "retry dropped" in r.getMessage() and "retry_num=2" in r.getMessage()
        for r in caplog.records
    )
    other = home_opened_body(event_id="Ev0OTHER")
    assert (await adapter.app.async_dispatch(request(other))).status == 200
    await fake.wait_for(lambda: len(fake.of("views.publish")) == 2)
    await adapter.idle()
    assert len(fake.of("views.publish")) == 2


def test_recent_events_forget_the_oldest():
    """The id memory is bounded: the oldest id is forgotten first."""
    recent = RecentEvents(size=2)
    assert recent.first_time("a") and recent.first_time("b")
    assert not recent.first_time("a")
    assert recent.first_time("c")  # drops "a"
    assert recent.first_time("a")


class FlakyClient:
    """A SocketModeClient stand-in: disconnected until reconnected (or reconnect fails)."""

    closed = False

    def __init__(self, *, fail: bool = False) -> None:
        self.up = False
        self.fail = fail
        self.reconnects = 0

    async def is_connected(self) -> bool:
        return self.up

    async def connect_to_new_endpoint(self) -> None:
        self.reconnects += 1
        if self.fail:
            raise ConnectionError("slack down")
        self.up = True


async def test_watchdog_reconnects_a_dropped_connection():
    """Not connected at a check: reconnect, then report connected."""
    client = FlakyClient()
    watchdog = SocketWatchdog(client)
    assert await watchdog.check() is True
    assert (client.reconnects, watchdog.connected, watchdog.reconnects) == (1, True, 1)
    assert await watchdog.check() is True
    assert client.reconnects == 1  # connected: nothing to do


async def test_watchdog_reports_a_failed_reconnect_and_tries_again():
    """Slack unreachable: the health says disconnected, the next check tries again."""
    client = FlakyClient(fail=True)
    watchdog = SocketWatchdog(client)
    assert await watchdog.check() is False
    assert watchdog.connected is False
    client.fail = False
    assert await watchdog.check() is True


@pytest.mark.slow
async def test_socket_mode_drop_is_noticed_and_reconnected(make_adapter, fake):
    """Socket Mode over the fake: the server drops the WebSocket and slack_sdk's own
    reconnection is off (the silent-drop bug); the watchdog opens a new connection and the
    adapter's health goes back to connected."""
    adapter = await make_adapter(
        slack_app_token="xapp-test", slack_signing_secret=None, watchdog_interval=0.05
    )
    assert adapter.connections() == {"slack_connected": False}
    runner = asyncio.create_task(adapter.run())
    await fake.wait_for(lambda: len(fake.of("apps.connections.open")) == 1)
    await until(lambda: adapter.ready)
    assert adapter.watchdog is not None
    adapter.watchdog.client.auto_reconnect_enabled = False
    adapter.watchdog.client.default_auto_reconnect_enabled = False
    await fake.socket_drop()
    await fake.wait_for(lambda: len(fake.of("apps.connections.open")) >= 2, seconds=20)
    await until(lambda: adapter.watchdog is not None and adapter.watchdog.reconnects == 1)
    await until(lambda: adapter.ready)
    assert adapter.connections() == {"slack_connected": True}
    await adapter.stop()
    await asyncio.wait_for(runner, 5)
    assert adapter.connections() == {"slack_connected": False}


async def test_http_mode_health(make_adapter, fake):
    """HTTP mode: connected while the endpoint listens."""
    adapter = await make_adapter()
    assert adapter.connections() == {"slack_connected": False}
