"""Discord as a delivery channel: what it declares, and its digest and alert bodies.

Every delivered message carries its key (:mod:`bot.delivery.markers`) twice: as ``nonce`` with
``enforce_nonce`` (Discord drops a second post with the same nonce for a few minutes only) and,
to read it back from the channel's history (:mod:`bot.adapters.discord.recovery`), as a ``ref``
marker in the footer of the message's last embed (or a small line of content when the page is
full).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.base import Attachment
from bot.delivery.markers import JSON, marker_text, nonce
from bot.delivery.poster import AlertMessage, Capabilities, Limits, Outgoing
from formatting.alerts import alert_to_discord
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest, heatmap_name
from formatting.embeds import MAX_CONTENT, MAX_EMBEDS

#: Requests per second a fan-out sends: Discord allows a bot 50 per second in total; 48 leaves
#: room for the adapter's own calls.
GLOBAL_RATE = 48.0


def mark(body: JSON, key: str) -> None:
    """Put ``key`` on a Discord body: its ``nonce`` and a readable marker (last embed's footer
    when it fits, else a small line of content)."""
    from formatting.digest_render import discord_fits  # lazy: it loads slack_sdk's models

    body["nonce"] = key
    body["enforce_nonce"] = True
    embeds = body.get("embeds") or []
    if embeds and "footer" in embeds[-1]:
        footer = embeds[-1]["footer"]
        before = str(footer.get("text") or "")
        footer["text"] = f"{before} · {marker_text(key)}" if before else marker_text(key)
        if discord_fits(embeds):
            return
        footer["text"] = before  # a full page: the marker goes in the content instead
    line = f"-# {marker_text(key)}"
    content = str(body.get("content") or "")
    room = MAX_CONTENT - len(line) - 1
    if len(content) > room:  # the marker must survive: the text gives way
        content = content[: room - 1] + "…"
    body["content"] = f"{content}\n{line}".strip()


def digest_bodies(
    digest: Digest, language: Language, *, image: bool, colors: ColourScheme | None = None
) -> list[JSON]:
    """The digest's message bodies; with ``image``, the first heatmap shows in the first."""
    from formatting.digest_render import digest_to_discord  # lazy: slack_sdk's models

    shown = f"attachment://{heatmap_name(0)}" if image else None
    return digest_to_discord(digest, language, image=shown, colors=colors)


class DiscordChannel:
    """The Discord channel (see :class:`bot.delivery.poster.Channel`)."""

    capabilities = Capabilities(
        platform="discord",
        limits=Limits(max_chars=MAX_CONTENT, max_embeds=MAX_EMBEDS),
        carries_images=True,
        finds_history=True,
        idempotency_key=True,
        rate=GLOBAL_RATE,
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
        """Each part marked with its key; the heatmaps attach to the first."""
        bodies = digest_bodies(digest, language, image=bool(images), colors=colors)
        for part, body in enumerate(bodies, start=1):
            mark(body, nonce(subscription_id, digest.session, part))
        if images:
            bodies[0]["attachments"] = [
                {"id": i, "filename": f.filename, "description": f.description[:1024]}
                for i, f in enumerate(images)
            ]
        return [Outgoing(body, tuple(images) if i == 0 else ()) for i, body in enumerate(bodies)]

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The alert's embeds, marked (the nonce closes the few minutes Discord dedupes; the
        ref line is read back later)."""
        body = alert_to_discord(
            list(alert.changes), alert.session, alert.language, source=alert.source
        )
        mark(body, alert.key)
        return body
