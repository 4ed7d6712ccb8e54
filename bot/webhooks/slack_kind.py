"""Slack incoming webhooks: the bot's Block Kit messages, posted to ``hooks.slack.com``.

Slack documents (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
the body is a message's JSON (``text``, ``blocks``); success is HTTP 200 with the text ``ok``;
errors come as plain text with a status: ``invalid_payload`` (400), ``action_prohibited`` and
``posting_to_general_channel_denied`` (403), ``channel_not_found`` and ``no_service`` (404, the
webhook was removed or its app uninstalled), ``channel_is_archived`` (410), ``no_team`` /
``team_disabled``; rate limits (about one message a second) answer 429 with ``Retry-After``.
Incoming webhooks take no files and return no message id: the chart is left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.answers import answer_text, retry_after
from bot.webhooks.kind import (
    PLATFORM,
    Answer,
    Failed,
    Pause,
    Posted,
    Request,
    Response,
    TooLarge,
    Wait,
)
from formatting.card import Card, Language
from formatting.colours import ColourScheme
from formatting.digest import Digest

#: Slack answers these (plain text) when only an admin can make the webhook work again.
PAUSING: dict[str, str] = {
    "no_service": "Slack says the webhook was removed or its app uninstalled",
    "no_team": "Slack says the workspace is gone",
    "team_disabled": "Slack says the workspace is disabled",
    "channel_not_found": "Slack says the webhook's channel does not exist any more",
    "channel_is_archived": "Slack says the webhook's channel is archived",
    "action_prohibited": "Slack says an admin prohibited posting there",
    "posting_to_general_channel_denied": "Slack says only admins may post in that channel",
    "invalid_token": "Slack refused the webhook's token",
}
#: Slack's ``text`` limit; a Block Kit message holds at most 50 blocks.
MAX_TEXT = 40_000
MAX_BLOCKS = 50
_DROPPED = ("channel", "metadata")  # chat.postMessage fields an incoming webhook does not take


class SlackKind:
    """Slack incoming webhooks (see :class:`bot.webhooks.kind.WebhookKind`)."""

    name = "slack"
    hosts: tuple[str, ...] = ("hooks.slack.com",)
    per_minute = 50.0  # Slack: about one message a second per webhook, short bursts allowed
    max_body = 512 * 1024
    needs_secret = False
    extra_languages: tuple[str, ...] = ()
    capabilities = Capabilities(
        platform=PLATFORM,
        limits=Limits(max_chars=MAX_TEXT, max_blocks=MAX_BLOCKS),
        carries_images=False,
        posts_blind=True,
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
        """The bot's digest blocks, one message per page (each stands alone)."""
        from formatting.digest_render import digest_to_slack

        return [Outgoing(_plain(body)) for body in digest_to_slack(digest, language)]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The bot's alert blocks."""
        from formatting.alerts import alert_to_slack

        body = alert_to_slack(
            list(alert.changes), alert.session, alert.language, source=alert.source
        )
        return _plain(body)

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The bot's card blocks, without the chart."""
        from formatting.blocks import card_to_slack

        return [Outgoing(_plain(card_to_slack(card, language)))]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """No signature: the URL is the credential."""
        body = json.dumps(message.payload, ensure_ascii=False).encode()
        return Request(url, body, {"Content-Type": "application/json; charset=utf-8"})

    def classify(self, response: Response) -> Answer:
        """200 ``ok``; 429 wait; the errors an admin must fix pause; 413 too large."""
        status, text = response.status, answer_text(response)
        if status == 200:
            return Posted("")
        if status == 429:
            return Wait(retry_after(response, 30.0), "HTTP 429")
        reason = PAUSING.get(text)
        if reason is not None:
            return Pause(f"{reason} ({text})")
        if status == 413 or text in ("too_many_attachments", "msg_too_long"):
            return TooLarge(f"Slack HTTP {status}: {text}")
        return Failed(f"Slack HTTP {status}: {text}")


def _plain(body: JSON) -> JSON:
    """A ``chat.postMessage`` body as an incoming webhook takes it."""
    return {k: v for k, v in body.items() if k not in _DROPPED}
