"""Charts inside the message: PNGs uploaded without a channel, shown by ``slack_file`` image blocks.

``files_upload_v2`` (``files.getUploadURLExternal`` then ``files.completeUploadExternal``)
without ``channel_id`` shares the file nowhere, so it needs no channel membership
(``chat:write.public`` does not cover ``completeUploadExternal`` with a channel: it answers
``not_in_channel``) and works in DMs between other people. An image block
``{"type": "image", "slack_file": {"id": "F..."}, "alt_text": ...}`` then shows it inside the
message (slack_sdk ``ImageBlock`` / ``SlackFile``). Uploads complete asynchronously on Slack's
side: a message sent too early is refused with ``invalid_blocks`` ("invalid slack file"), so
:func:`post_with_images` retries briefly and finally posts without the image
(slackapi/python-slack-sdk #1521, #1658; slack-github-action #413).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import ImageBlock
from slack_sdk.models.blocks.basic_components import SlackFile
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Attachment
from formatting.blocks import clip

log = logging.getLogger(__name__)

JSON = dict[str, Any]
MAX_BLOCKS = 50  # a message's Block Kit limit
MAX_ALT_TEXT = 2000
MAX_IMAGE_TITLE = 2000
#: Waits before re-sending a message whose image files Slack has not finished processing.
NOT_READY_WAITS = (0.5, 1.0, 2.0)
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Uploaded:
    """A file Slack holds for the app, ready for an image block."""

    file_id: str
    alt_text: str
    title: str


async def upload_files(client: AsyncWebClient, files: Sequence[Attachment]) -> list[Uploaded]:
    """Upload ``files`` without a channel; the uploaded ones (a refused upload is logged and
    left out: the message goes without that image)."""
    done: list[Uploaded] = []
    for attachment in files:
        title = attachment.description or attachment.filename
        try:
            response = await client.files_upload_v2(
                file=attachment.data,
                filename=attachment.filename,
                title=title,
                alt_txt=clip(title, MAX_ALT_TEXT),
            )
        except SlackApiError as exc:
            log.warning(
                "slack upload refused file=%s error=%s",
                attachment.filename,
                exc.response.get("error"),
            )
            continue
        except (SlackClientError, OSError, TimeoutError) as exc:
            log.warning("slack upload failed file=%s: %s", attachment.filename, type(exc).__name__)
            continue
        uploaded = response.get("files") or [response.get("file") or {}]
        file_id = str((uploaded[0] or {}).get("id") or "")
        if file_id:
            done.append(Uploaded(file_id, clip(title, MAX_ALT_TEXT), title))
    return done


def image_block(image: Uploaded) -> JSON:
    """The Block Kit image block showing an uploaded file."""
    block = ImageBlock(
        slack_file=SlackFile(id=image.file_id),
        alt_text=image.alt_text,
        title=clip(image.title, MAX_IMAGE_TITLE),
    )
    return block.to_dict()


def with_images(payload: JSON, images: Sequence[Uploaded]) -> JSON:
    """``payload`` with an image block per uploaded file after its blocks (block cap kept)."""
    if not images:
        return payload
    blocks = list(payload.get("blocks") or [])
    room = max(MAX_BLOCKS - len(blocks), 0)
    return {**payload, "blocks": blocks + [image_block(i) for i in images[:room]]}


def without_images(payload: JSON, note: JSON | None = None) -> JSON:
    """``payload`` with its ``slack_file`` image blocks taken out (the text-only card), and the
    ``note`` block saying so (when there is room)."""
    blocks = [b for b in payload.get("blocks") or [] if not _is_file_image(b)]
    return {**payload, "blocks": with_note(blocks, note)}


def with_note(blocks: Sequence[JSON], note: JSON | None) -> list[JSON]:
    """``blocks`` and the ``note`` block after them (within the block cap)."""
    out = list(blocks)
    if note is not None and len(out) < MAX_BLOCKS:
        out.append(note)
    return out


def _is_file_image(block: Any) -> bool:
    return isinstance(block, dict) and block.get("type") == "image" and "slack_file" in block


class ImagesNotReady(Exception):
    """Slack refused a message because an image file is not processed yet (or not visible)."""


def not_ready(exc: SlackApiError) -> bool:
    """Slack refused the blocks because an image file is not processed (yet)."""
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    if data.get("error") != "invalid_blocks":
        return False
    return any("slack_file" in str(e) for e in data.get("errors") or ["slack_file"])


async def send_with_images(
    send: Callable[[JSON], Awaitable[Any]],
    payload: JSON,
    *,
    sleep: Sleep = asyncio.sleep,
    waits: Sequence[float] = NOT_READY_WAITS,
    note: JSON | None = None,
) -> tuple[Any, bool]:
    """``send(payload)``; while it raises :class:`ImagesNotReady`, wait and send again; at last
    send it without the images (and with ``note``). Returns the result and whether the images
    went out."""
    for wait in (*waits, None):
        try:
            return await send(payload), True
        except ImagesNotReady:
            if wait is None:
                break
            log.info("slack image not ready; sending again in %.1fs", wait)
            await sleep(wait)
    log.warning("slack image never became ready; sent without it")
    return await send(without_images(payload, note)), False
