"""A channel plugs into the delivery layer by declaring itself and rendering its own messages."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.adapters.base import Attachment
from bot.delivery import channels
from bot.delivery.channels import channel_for, register
from bot.delivery.markers import JSON, nonce
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from bot.digest.claims import Target
from bot.digest.fanout import DigestRunner
from bot.storage import Storage
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest
from signals.service import PriceService
from tests.digest.conftest import SESSION, RecordingPoster


class EchoChannel:
    """A made-up channel (on a platform the storage knows): one short text per digest, no
    images, not paced."""

    capabilities = Capabilities(platform="terminal", limits=Limits(max_chars=100))

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        key = nonce(subscription_id, digest.session, 1)
        return [Outgoing({"text": f"{len(digest.rows)} rows", "key": key}, tuple(images))]

    def render_alert(self, alert: AlertMessage) -> JSON:
        return {"text": alert.key}


def test_built_in_channels_declare_what_they_can_do() -> None:
    discord, slack, terminal = (
        channel_for(p).capabilities for p in ("discord", "slack", "terminal")
    )
    assert discord.carries_images and discord.finds_history and discord.idempotency_key
    assert discord.rate == 48.0 and discord.limits.max_embeds == 10
    assert slack.carries_images and slack.finds_history and not slack.idempotency_key
    assert slack.rate is None and slack.limits.max_blocks == 50
    assert not (terminal.carries_images or terminal.finds_history or terminal.idempotency_key)
    assert channel_for("nowhere").capabilities.platform == "nowhere"  # no channel: plain text


async def test_a_registered_channel_renders_and_gets_its_digest_posted(
    storage: Storage, prices: PriceService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Channel and one poster: the runner renders through it, paces and draws by what it
    declares (no rate, no images), posts, and marks the part sent."""
    monkeypatch.setattr(channels, "_loaded", {})
    register(EchoChannel())
    sub = await storage.upsert_subscription(
        "terminal", "g1", "c1", time=None, timezone="America/New_York"
    )
    poster = RecordingPoster("terminal")
    runner = DigestRunner(storage, prices, {"terminal": poster}, heatmaps=True, render_processes=0)
    assert runner.spacers == {}
    report = await runner.run([Target(sub, SESSION)])
    assert (report.sent, runner.rendered) == (1, 0)
    [(channel, payload, files)] = poster.sent
    assert channel == "c1" and payload["key"] == nonce(sub.id, SESSION, 1) and files == ()
    row = await storage.get_delivery(sub.id, SESSION)
    assert row is not None and row.state == "sent"
