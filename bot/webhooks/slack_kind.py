"""Slack incoming webhooks: the bot's Block Kit messages, posted to ``hooks.slack.com``.

Slack documents (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
the body is a message's JSON (``text``, ``blocks``); success is HTTP 200 with the text ``ok``;
errors come as plain text with a status: ``invalid_payload`` (400), ``action_prohibited`` and
``posting_to_general_channel_denied`` (403), ``channel_not_found`` and ``no_service`` (404, the
webhook was removed or its app uninstalled), ``channel_is_archived`` (410), ``no_team`` /
``team_disabled``; rate limits (about one message a second) answer 429 with ``Retry-After``.
Incoming webhooks take no files and return no message id: the chart goes by URL (an ``image``
block, https://docs.slack.dev/reference/block-kit/blocks/image-block: png, jpg or gif, no SVG;
``alt_text`` at most 2,000 characters) when the research site has its PNG
(:class:`~bot.webhooks.site_images.SiteImages`), else not at all.
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
from bot.webhooks.site_images import SiteImages
from formatting.card import Card, Language, languages
from formatting.colours import ColourScheme
from formatting.digest import Digest
from formatting.text import card_text

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
#: An image block's ``alt_text``: at most 2,000 characters.
MAX_ALT = 2000
_DROPPED = ("channel", "metadata")  # chat.postMessage fields an incoming webhook does not take


class SlackKind:
    """Slack incoming webhooks (see :class:`bot.webhooks.kind.WebhookKind`); ``images`` finds
    the research site's pictures (``SIGNALBOT_SITE_DIR`` read when not given)."""

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

    def __init__(self, images: SiteImages | None = None) -> None:
        self.images = SiteImages() if images is None else images

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """The bot's digest blocks, one message per page (each stands alone); the first with
        the day page's heatmap when the site has it."""
        from formatting.digest import digest_text
        from formatting.digest_render import digest_to_slack

        bodies = [_plain(body) for body in digest_to_slack(digest, language)]
        url = self.images.day(digest, language, unchecked=False)
        if url is not None:
            alt = digest_text(digest, languages(language)[0]).title
            _add_images(bodies[0], [(url, alt)])
        return [Outgoing(body) for body in bodies]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The bot's alert blocks."""
        from formatting.alerts import alert_to_slack

        body = _plain(
            alert_to_slack(list(alert.changes), alert.session, alert.language, source=alert.source)
        )
        _add_images(
            body, [shown for c in alert.changes if (shown := self._card(c.card, alert.language))]
        )
        return body

    def _card(self, card: Card, language: Language) -> tuple[str, str] | None:
        url = self.images.card(card, language, unchecked=False)
        if url is None:
            return None
        return url, card_text(card, languages(language)[0]).title

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The bot's card blocks, with its picture when the research site has it."""
        from formatting.blocks import card_to_slack

        body = _plain(card_to_slack(card, language))
        shown = self._card(card, language)
        _add_images(body, [shown] if shown else [])
        return [Outgoing(body)]

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


def _add_images(body: JSON, images: Sequence[tuple[str, str]]) -> None:
    """``image`` blocks (url, alt text) after ``body``'s blocks, as many as Slack's block
    limit leaves room for."""
    blocks = body.get("blocks")
    if not isinstance(blocks, list):
        return
    for url, alt in images[: max(MAX_BLOCKS - len(blocks), 0)]:
        blocks.append({"type": "image", "image_url": url, "alt_text": alt[:MAX_ALT]})
