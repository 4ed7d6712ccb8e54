"""A digest as the messages a channel sends: its heatmaps drawn, its parts rendered and keyed.

Which bodies, which markers and whether images ride along is the channel's own business
(:class:`bot.delivery.poster.Channel`); here the heatmaps are drawn for channels that carry
images, and a chart bug never stops the digest.
"""

from __future__ import annotations

import logging

from bot.adapters.base import Attachment
from bot.delivery.channels import channel_for
from bot.delivery.poster import Outgoing
from bot.digest.render import HeatmapRenderer
from formatting.card import Language
from formatting.colours import ColourScheme
from formatting.digest import Digest, heatmap_name, heatmap_specs

log = logging.getLogger(__name__)


async def build_messages(
    platform: str,
    digest: Digest,
    language: Language,
    *,
    subscription_id: int,
    heatmaps: HeatmapRenderer | None,
    colors: ColourScheme | None = None,
    server_id: str | None = None,
) -> list[Outgoing]:
    """Every message of one subscription's digest, in order; heatmaps ride on the first."""
    channel = channel_for(platform, server_id)
    files: list[Attachment] = []
    if heatmaps is not None and channel.capabilities.carries_images:
        try:
            for i, spec in enumerate(heatmap_specs(digest, language, colors=colors)):
                files.append(Attachment(heatmap_name(i), await heatmaps.png(spec), spec.title))
        except Exception:  # a chart bug must not stop the digest: post it without the image
            log.exception("digest heatmap failed subscription=%d; sent without", subscription_id)
            files = []
    return channel.render_digest(
        digest, language, subscription_id=subscription_id, images=files, colors=colors
    )
