"""A digest as the messages a platform's poster sends: bodies, files and delivery markers.

Every message carries the key of its (subscription, session, part), :func:`nonce`, so the bot
can tell later whether it was posted (:mod:`bot.digest.recovery`):

- Discord: as ``nonce`` with ``enforce_nonce`` (Discord dedupes for a few minutes only) and, to
  read it back from the channel's history, in the footer of the message's last embed.
- Slack: in the message ``metadata`` (``event_type`` ``signalbot_digest``), which
  ``conversations.history`` returns with ``include_all_metadata``.

Regime alerts (``bot.alerts``) are marked the same way, with their own key and
``signalbot_alert``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.adapters.base import Attachment
from bot.digest.render import HeatmapRenderer
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest, heatmap_specs
from formatting.embeds import MAX_CONTENT

JSON = dict[str, Any]
log = logging.getLogger(__name__)
HEATMAP_FILE = "heatmap.png"
#: Slack metadata ``event_type`` of digest messages and of regime alerts.
DIGEST_EVENT = "signalbot_digest"
ALERT_EVENT = "signalbot_alert"


@dataclass(frozen=True)
class Outgoing:
    """One message to post: the platform body and its files."""

    payload: JSON
    files: tuple[Attachment, ...] = ()


def nonce(subscription_id: int, session: date, part: int) -> str:
    """A per-message idempotency key (Discord allows 25 characters)."""
    return f"d{subscription_id}s{session:%y%m%d}p{part}"[:25]


def marker_text(key: str) -> str:
    """How the key shows in a Discord footer (short, readable, found by substring)."""
    return f"ref {key}"


def mark_discord(body: JSON, key: str) -> None:
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
    mark = f"-# {marker_text(key)}"
    content = str(body.get("content") or "")
    room = MAX_CONTENT - len(mark) - 1
    if len(content) > room:  # the marker must survive: the text gives way
        content = content[: room - 1] + "…"
    body["content"] = f"{content}\n{mark}".strip()


def slack_metadata(event_type: str, key: str, **fields: object) -> JSON:
    """A Slack message's ``metadata``: what ``conversations.history`` gives back for recovery."""
    return {"event_type": event_type, "event_payload": {"key": key, **fields}}


def heatmap_name(index: int) -> str:
    """File name of the ``index``-th heatmap image of a digest."""
    return HEATMAP_FILE if index == 0 else f"heatmap-{index + 1}.png"


async def build_messages(
    platform: str,
    digest: Digest,
    language: Language,
    *,
    subscription_id: int,
    heatmaps: HeatmapRenderer | None,
    colors: ColourScheme | None = None,
) -> list[Outgoing]:
    """Every message of one subscription's digest, in order; heatmaps ride on the first."""
    # loaded with the first digest: formatting.digest_render imports slack_sdk's block models
    from formatting.digest_render import digest_to_discord, digest_to_slack, digest_to_text

    files: list[Attachment] = []
    if heatmaps is not None and platform in ("discord", "slack"):
        try:
            for i, spec in enumerate(heatmap_specs(digest, language, colors=colors)):
                files.append(Attachment(heatmap_name(i), await heatmaps.png(spec), spec.title))
        except Exception:  # a chart bug must not stop the digest: post it without the image
            log.exception("digest heatmap failed subscription=%d; sent without", subscription_id)
            files = []
    if platform == "discord":
        image = f"attachment://{HEATMAP_FILE}" if files else None
        bodies = digest_to_discord(digest, language, image=image, colors=colors)
        for part, body in enumerate(bodies, start=1):
            mark_discord(body, nonce(subscription_id, digest.session, part))
        if files:
            bodies[0]["attachments"] = [
                {"id": i, "filename": f.filename, "description": f.description[:1024]}
                for i, f in enumerate(files)
            ]
    elif platform == "slack":
        bodies = digest_to_slack(digest, language)
        for part, body in enumerate(bodies, start=1):
            key = nonce(subscription_id, digest.session, part)
            body["metadata"] = slack_metadata(
                DIGEST_EVENT,
                key,
                subscription=subscription_id,
                session=digest.session.isoformat(),
                part=part,
            )
    else:
        bodies = [{"text": digest_to_text(digest, language)}]
    return [Outgoing(body, tuple(files) if i == 0 else ()) for i, body in enumerate(bodies)]
