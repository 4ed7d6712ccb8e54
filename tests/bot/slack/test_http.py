"""Request signatures (bad or stale: 401, nothing changes) and HTTP mode on a real port."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from formatting.i18n import t
from tests.fakes.slack import TEAM, signed_headers, slash_body
from tests.support import bound_port


@pytest.mark.parametrize(
    ("headers", "skew"),
    [
        pytest.param({"secret": "not-the-secret"}, None, id="wrong-secret"),
        pytest.param({}, -6 * 60, id="stale"),
        pytest.param({}, 6 * 60, id="future"),
    ],
)
async def test_bad_or_stale_signature_is_401_and_changes_nothing(
    make_adapter, fake, store, headers, skew
):
    """A forged or replayed '/signal language zh' from a listed admin: 401, no call, no change.

    The timestamp is taken when the test runs (bolt checks it against its own clock), never at
    collection, which may be minutes earlier."""
    if skew is not None:
        headers = {**headers, "timestamp": int(time.time()) + skew}
    adapter = await make_adapter(slack_admin_user_ids="U0BOSS")
    body = slash_body("language zh", response_url=fake.response_url(), user="U0BOSS")
    response = await adapter.app.async_dispatch(
        AsyncBoltRequest(body=body, headers=signed_headers(body, **headers))
    )
    await adapter.idle()
    assert response.status == 401
    assert fake.calls == []
    assert await store.get_language("slack", TEAM, "unset") == "unset"


async def test_missing_or_tampered_signature_is_401(make_adapter, fake, store):
    """No signature headers, or a body changed after signing: 401."""
    adapter = await make_adapter(slack_admin_user_ids="U0BOSS")
    body = slash_body("language zh", response_url=fake.response_url(), user="U0BOSS")
    plain = {"content-type": "application/x-www-form-urlencoded"}
    tampered = body.replace("U0BOSS", "U0EVIL")
    for request in (
        AsyncBoltRequest(body=body, headers=plain),
        AsyncBoltRequest(body=tampered, headers=signed_headers(body)),
    ):
        assert (await adapter.app.async_dispatch(request)).status == 401
    await adapter.idle()
    assert fake.calls == []
    assert await store.get_language("slack", TEAM, "unset") == "unset"


@pytest.mark.slow
async def test_http_mode_serves_signed_slash_commands_on_a_real_port(
    make_adapter, fake, store, caplog
):
    """run() listens on SIGNALBOT_HTTP_PORT at /slack/events: signed -> 200 then a card,
    unsigned -> 401; stop() ends run(). Port 0: the OS picks it as the server binds, the log
    line and ``adapter.port`` name it."""
    caplog.set_level(logging.INFO, logger="bot.adapters.slack.server")
    adapter = await make_adapter(http_port=0, slack_admin_user_ids="U0BOSS", language="en")
    adapter.host = "127.0.0.1"
    runner = asyncio.create_task(adapter.run())
    port = await bound_port(caplog, logger="bot.adapters.slack.server")
    assert port != 0 and adapter.port == port
    url = f"http://127.0.0.1:{port}/slack/events"
    async with aiohttp.ClientSession() as session:
        for _ in range(100):  # wait for the listener
            try:
                async with session.post(url, data=b"") as probe:
                    if probe.status == 401:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        body = slash_body("IWM", response_url=fake.response_url())
        began = time.perf_counter()
        async with session.post(url, data=body.encode(), headers=signed_headers(body)) as resp:
            assert resp.status == 200
        assert time.perf_counter() - began < 3.0
        await fake.wait_for(lambda: len(fake.responses) == 1)
        assert fake.responses[0]["response_type"] == "in_channel"
        assert t("card.footer", "en") in str(fake.responses[0]["blocks"])

        forged = slash_body("language zh", response_url=fake.response_url(), user="U0BOSS")
        headers = signed_headers(forged, secret="wrong")
        async with session.post(url, data=forged.encode(), headers=headers) as resp:
            assert resp.status == 401
        async with session.get(f"http://127.0.0.1:{port}/slack/install") as resp:
            assert resp.status == 404  # no OAuth configured: no install page
    await adapter.idle()
    assert await store.get_language("slack", TEAM, "unset") == "unset"
    assert fake.calls[0].method == "auth.test"  # the token was checked at start
    await adapter.stop()
    await asyncio.wait_for(runner, 5)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as session, session.post(url, data=b""):
            pass


async def test_refused_bot_token_fails_run(make_adapter, fake):
    """A revoked SLACK_BOT_TOKEN stops the adapter at start with the reason, not later."""
    adapter = await make_adapter(http_port=0)
    adapter.host = "127.0.0.1"
    fake.fail("auth.test", "invalid_auth")
    with pytest.raises(RuntimeError, match="invalid_auth"):
        await adapter.run()


async def test_events_url_verification_challenge(adapter):
    """Slack's one-time url_verification (signed) is answered with the challenge."""
    body = '{"token": "x", "challenge": "chal-123", "type": "url_verification"}'
    response = await adapter.app.async_dispatch(
        AsyncBoltRequest(body=body, headers=signed_headers(body, json_body=True))
    )
    assert response.status == 200
    assert "chal-123" in response.body


async def test_http_mode_without_signing_secret_is_refused(make_adapter):
    """Without a signing secret nothing could be verified: the adapter is not created."""
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        await make_adapter(slack_signing_secret=None)
