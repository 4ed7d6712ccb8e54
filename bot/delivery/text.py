"""The plain-text channel: the terminal, and any platform without a channel of its own."""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest


class TextChannel:
    """The whole digest as one text (never split), no images, no key to find it by."""

    def __init__(self, platform: str = "terminal") -> None:
        self.capabilities = Capabilities(platform=platform, limits=Limits(max_chars=0))

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """One message: the digest's plain text."""
        from formatting.digest_render import digest_to_text  # lazy: slack_sdk's models

        return [Outgoing({"text": digest_to_text(digest, language)})]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The alert's plain text."""
        from formatting.alerts import alert_text

        text = alert_text(list(alert.changes), alert.session, alert.language, source=alert.source)
        return {"text": text}
