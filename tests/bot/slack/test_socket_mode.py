"""Socket Mode: with SLACK_APP_TOKEN the adapter connects out and acks envelopes at once."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pytest

from formatting.i18n import t
from tests.bot.slack.support import GatedSource
from tests.fakes.slack import slash_body


@pytest.mark.slow
async def test_socket_mode_acks_the_envelope_before_the_fetch(make_adapter, fake, prices):
    """apps.connections.open with the app token, then an envelope is acked while the price
    fetch is still blocked; the card follows through the response URL; stop() ends run()."""
    source = GatedSource(prices)
    adapter = await make_adapter(
        source, slack_app_token="xapp-test", slack_signing_secret=None, language="en"
    )
    assert adapter.socket_mode
    runner = asyncio.create_task(adapter.run())
    payload = dict(parse_qsl(slash_body("IWM", response_url=fake.response_url())))
    await fake.socket_send(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
    )
    await fake.wait_for(
        lambda: any(c.params.get("envelope_id") == "env-1" for c in fake.of("socket"))
    )
    assert not source.finished.is_set()
    assert fake.responses == []
    (opened,) = fake.of("apps.connections.open")
    assert opened.token == "xapp-test"
    source.release.set()
    await fake.wait_for(lambda: len(fake.responses) == 1)
    assert t("card.footer", "en") in str(fake.responses[0]["blocks"])
    await adapter.stop()
    await asyncio.wait_for(runner, 5)
