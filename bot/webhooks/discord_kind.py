"""Discord incoming webhooks: the bot's embeds and chart file, posted with ``?wait=true``.

Discord documents (https://discord.com/developers/docs/resources/webhook#execute-webhook):
``wait=true`` makes it answer with the created message (its ``id``); a body carries
``content``/``embeds``/``allowed_mentions`` as JSON, or ``payload_json`` and ``files[n]`` as
multipart/form-data; ``nonce`` is not a field of Execute Webhook (nothing dedupes a retry). An
unknown or deleted webhook answers 404 (code 10015 Unknown Webhook), a wrong token 401;
rate limits (about 5 requests per 2 s per webhook, 30 messages a minute per channel) answer 429
with ``retry_after``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from bot.webhooks.answers import answer_json, answer_text, retry_after
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
from formatting.embeds import MAX_CONTENT, MAX_EMBEDS, no_mentions

#: Discord's upload limit without boosts is 10 MiB per request; digests send a few hundred KB.
MAX_BODY = 10 * 1024 * 1024


def with_wait(url: str) -> str:
    """``url`` with ``wait=true`` in its query (other parameters kept, e.g. ``thread_id``)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "wait"] + [("wait", "true")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def multipart(payload: JSON, files: Sequence[Attachment]) -> tuple[bytes, str]:
    """``payload_json`` and ``files[n]`` as multipart/form-data; the body and its type."""
    body_json = json.dumps(payload, ensure_ascii=False).encode()
    digest = hashlib.sha256(body_json)
    for f in files:
        digest.update(f.data)
    boundary = f"signalbot-{digest.hexdigest()[:32]}"
    out = bytearray()
    fields: list[tuple[str, str | None, str, bytes]] = [
        ("payload_json", None, "application/json", body_json)
    ]
    fields += [(f"files[{i}]", f.filename, "image/png", f.data) for i, f in enumerate(files)]
    for name, filename, ctype, data in fields:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        out += f"{head}Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class DiscordKind:
    """Discord incoming webhooks (see :class:`bot.webhooks.kind.WebhookKind`)."""

    name = "discord"
    hosts: tuple[str, ...] = (
        "discord.com",
        "discordapp.com",
        "canary.discord.com",
        "ptb.discord.com",
    )
    per_minute = 30.0  # Discord: 30 messages a minute per channel
    max_body = MAX_BODY
    needs_secret = False
    extra_languages: tuple[str, ...] = ()
    capabilities = Capabilities(
        platform=PLATFORM,
        limits=Limits(max_chars=MAX_CONTENT, max_embeds=MAX_EMBEDS),
        carries_images=True,
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
        """The bot's digest embeds (each part stands alone); the heatmaps ride on the first."""
        from bot.adapters.discord.channel import digest_bodies

        bodies = digest_bodies(digest, language, image=bool(images), colors=colors)
        for body in bodies:
            body["allowed_mentions"] = no_mentions()
        if images:
            bodies[0]["attachments"] = [
                {"id": i, "filename": f.filename, "description": f.description[:1024]}
                for i, f in enumerate(images)
            ]
        return [Outgoing(body, tuple(images) if i == 0 else ()) for i, body in enumerate(bodies)]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The bot's alert message (pings nobody)."""
        from formatting.alerts import alert_to_discord

        return alert_to_discord(
            list(alert.changes), alert.session, alert.language, source=alert.source
        )

    def render_sample(
        self, card: Card, language: Language, *, colors: ColourScheme | None = None
    ) -> list[Outgoing]:
        """The bot's card embeds, without the chart."""
        from formatting.embeds import card_to_discord

        return [Outgoing(card_to_discord(card, language, colors=colors))]

    def sign(self, url: str, secret: str | None, message: Outgoing, now: datetime) -> Request:
        """No signature: the URL's token is the credential. JSON, or multipart with files."""
        if message.files:
            body, ctype = multipart(message.payload, message.files)
        else:
            body = json.dumps(message.payload, ensure_ascii=False).encode()
            ctype = "application/json"
        return Request(with_wait(url), body, {"Content-Type": ctype})

    def classify(self, response: Response) -> Answer:
        """200 with the message (its id); 429 wait; 401/403/404 pause; 413 too large."""
        status = response.status
        if 200 <= status < 300:
            return Posted(str(answer_json(response).get("id") or ""))
        if status == 429:
            return Wait(retry_after(response, 5.0), "HTTP 429")
        if status == 404:
            return Pause("Discord says the webhook does not exist any more (deleted?)")
        if status in (401, 403):
            return Pause(f"Discord refused the webhook's token (HTTP {status})")
        if status == 413:
            return TooLarge("Discord: request entity too large (HTTP 413)")
        return Failed(f"Discord HTTP {status}: {answer_text(response)}")
