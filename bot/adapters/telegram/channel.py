"""Telegram as a delivery channel: what it declares, and its digest and alert payloads.

Every payload is one Bot API call (``sendMessage`` or ``sendPhoto``), so one ledger part is one
message and nothing more than that message can reach Telegram before the part is marked sent:
the digest's text parts first (HTML, :mod:`formatting.telegram_html`), then one part per
heatmap photo. Telegram lets a bot neither read a chat's history nor pass an idempotency key,
so a message carries no key (see :mod:`bot.adapters.telegram.poster` for what that means).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest

#: https://core.telegram.org/bots/api#sendmessage: 1-4096 characters after entities parsing
MAX_TEXT = 4096
#: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this: "no more
#: than 30 messages per second" overall; a fan-out stays under it (the poster paces each chat).
OVERALL_RATE = 25.0

SEND_MESSAGE = "sendMessage"
SEND_PHOTO = "sendPhoto"


def text_payload(html: str, *, preview_url: str | None = None) -> JSON:
    """A ``sendMessage`` payload of Telegram HTML; link previews off unless ``preview_url``."""
    return {"method": SEND_MESSAGE, "text": html, "preview_url": preview_url}


def photo_payload(caption: str | None = None) -> JSON:
    """A ``sendPhoto`` payload (the photo is the message's one file), with an HTML caption."""
    return {"method": SEND_PHOTO, "caption": caption}


class TelegramChannel:
    """The Telegram channel (see :class:`bot.delivery.poster.Channel`)."""

    capabilities = Capabilities(
        platform="telegram",
        limits=Limits(max_chars=MAX_TEXT),
        carries_images=True,
        finds_history=False,
        idempotency_key=False,
        rate=OVERALL_RATE,
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
        """One message per part, then one photo per heatmap (last, so a picture that could
        not be drawn one time does not renumber the text parts)."""
        from formatting.telegram_html import (
            MAX_CAPTION,
            digest_page,
            digest_to_telegram,
            escape,
            html_length,
        )

        page = digest_page(digest, language)  # the day's research page: the one preview
        out = [
            Outgoing(text_payload(html, preview_url=page))
            for html in digest_to_telegram(digest, language)
        ]
        for image in images:
            caption = escape(image.description) if image.description else None
            if caption is not None and html_length(caption) > MAX_CAPTION:
                caption = None
            out.append(Outgoing(photo_payload(caption), (image,)))
        return out

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The alert's message; ``more`` holds the rest of an alert too long for one (rare: a
        channel with many changes on one session)."""
        from formatting.telegram_html import alert_page, alert_to_telegram

        parts = alert_to_telegram(alert.changes, alert.session, alert.language, source=alert.source)
        page = alert_page(alert.changes, alert.language)  # the first change's research page
        body = text_payload(parts[0], preview_url=page)
        if len(parts) > 1:
            body["more"] = parts[1:]
        return body
