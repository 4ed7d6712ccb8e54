"""``send_message`` for the digest: POST /channels/{id}/messages through discord.py's HTTP client.

discord.py's ``HTTPClient.request`` already waits out 429s (per-route buckets and the global
limit, from ``retry_after``) and retries 5xx a few times; this module adds the multipart body
(``payload_json`` + ``files[n]``), a bounded retry on connection errors, and maps the outcome onto
:class:`~bot.adapters.base.PostingPaused` (any 403, e.g. 50001 Missing Access or 50013 Missing
Permissions: an admin can fix it), :class:`~bot.adapters.base.ChannelGone` (10003 Unknown
Channel, 10004 Unknown Guild: gone for good) and :class:`~bot.adapters.base.PostFailed`
(anything else, retried later).
Codes: https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord
from discord.http import HTTPClient, Route

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from formatting.embeds import no_mentions

log = logging.getLogger(__name__)

#: Attempts for connection errors (HTTP statuses are retried by discord.py itself).
CONNECT_ATTEMPTS = 3
CONNECT_BACKOFF = 0.5  # seconds, doubled after each failed attempt
#: Discord JSON error codes that an admin can fix (the post is retried next session).
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
#: The only codes that end a subscription: 10003 Unknown Channel, 10004 Unknown Guild.
GONE_CODES = frozenset({10003, 10004})
#: What each code means for the admin, in the reason stored on the subscription.
PAUSE_REASONS = {
    MISSING_ACCESS: "missing access: View Channel",
    MISSING_PERMISSIONS: "missing permission: Send Messages, Embed Links or Attach Files",
}


def multipart(
    payload: dict[str, Any], files: Sequence[Attachment]
) -> tuple[list[dict[str, Any]], list[discord.File]]:
    """The form fields Discord expects for a message with files, and the files to rewind."""
    body = dict(payload)
    body["attachments"] = [
        {
            "id": i,
            "filename": f.filename,
            **({"description": f.description} if f.description else {}),
        }
        for i, f in enumerate(files)
    ]
    attached = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files]
    form: list[dict[str, Any]] = [{"name": "payload_json", "value": json.dumps(body)}]
    form += [
        {
            "name": f"files[{i}]",
            "value": file.fp,
            "filename": file.filename,
            "content_type": "application/octet-stream",
        }
        for i, file in enumerate(attached)
    ]
    return form, attached


def _reason(error: discord.HTTPException) -> str:
    return f"HTTP {error.status} code {error.code}: {error.text or 'no message'}"[:200]


async def post_message(
    http: HTTPClient,
    channel_id: str,
    payload: dict[str, Any],
    files: Sequence[Attachment] = (),
) -> str:
    """Post ``payload`` (mentions always off) with ``files`` to ``channel_id``; the message id."""
    if not channel_id.isdigit():
        raise ChannelGone(channel_id, "not a Discord channel id")
    body = {**payload, "allowed_mentions": no_mentions()}
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=int(channel_id))
    delay = CONNECT_BACKOFF
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            if files:
                form, attached = multipart(body, files)
                data = await http.request(route, form=form, files=attached)
            else:
                data = await http.request(route, json=body)
            return str(data["id"])
        except discord.Forbidden as exc:  # an admin can fix a 403: pause, never disable
            raise PostingPaused(channel_id, PAUSE_REASONS.get(exc.code, _reason(exc))) from exc
        except discord.NotFound as exc:
            if exc.code in GONE_CODES:
                raise ChannelGone(channel_id, _reason(exc)) from exc
            raise PostFailed(f"channel {channel_id}: {_reason(exc)}") from exc
        except discord.RateLimited as exc:
            raise PostFailed(
                f"channel {channel_id}: rate limited for {exc.retry_after:.0f} s"
            ) from exc
        except discord.HTTPException as exc:
            raise PostFailed(f"channel {channel_id}: {_reason(exc)}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise PostFailed(f"channel {channel_id}: {type(exc).__name__}: {exc}") from exc
            log.warning(
                "discord post failed channel=%s attempt=%d error=%s; retrying in %.1f s",
                channel_id,
                attempt,
                type(exc).__name__,
                delay,
            )
            await asyncio.sleep(delay)
            delay *= 2
    raise PostFailed(f"channel {channel_id}: no attempt made")  # pragma: no cover
