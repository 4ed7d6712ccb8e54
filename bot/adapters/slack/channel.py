"""Slack as a delivery channel: what it declares, and its digest and alert bodies.

Every delivered message carries its key in its ``metadata`` (``event_type``
``signalbot_digest`` or ``signalbot_alert``), which ``conversations.history`` returns with
``include_all_metadata`` (:mod:`bot.adapters.slack.recovery`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.base import Attachment
from bot.delivery.markers import ALERT_EVENT, DIGEST_EVENT, JSON, nonce, slack_metadata
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest

#: Block Kit's limits (formatting.blocks holds them; repeated here without loading slack_sdk).
MAX_TEXT = 4000
MAX_BLOCKS = 50


class SlackChannel:
    """The Slack channel (see :class:`bot.delivery.poster.Channel`). Slack limits per channel
    and the poster honours ``Retry-After``, so a fan-out does not pace it."""

    capabilities = Capabilities(
        platform="slack",
        limits=Limits(max_chars=MAX_TEXT, max_blocks=MAX_BLOCKS),
        carries_images=True,
        finds_history=True,
        idempotency_key=False,
        rate=None,
    )

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """Each part with its key in the metadata; the heatmaps go with the first."""
        from formatting.digest_render import digest_to_slack  # lazy: slack_sdk's models

        bodies = digest_to_slack(digest, language)
        for part, body in enumerate(bodies, start=1):
            body["metadata"] = slack_metadata(
                DIGEST_EVENT,
                nonce(subscription_id, digest.session, part),
                subscription=subscription_id,
                session=digest.session.isoformat(),
                part=part,
            )
        return [Outgoing(body, tuple(images) if i == 0 else ()) for i, body in enumerate(bodies)]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The alert's blocks with its key in the metadata."""
        from formatting.alerts import alert_to_slack

        body = alert_to_slack(
            list(alert.changes), alert.session, alert.language, source=alert.source
        )
        body["metadata"] = slack_metadata(
            ALERT_EVENT,
            alert.key,
            alerts=list(alert.alert_ids),
            session=alert.session.isoformat(),
        )
        return body
