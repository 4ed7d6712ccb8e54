"""Was this digest message already posted? Read the bot's own recent messages back from Discord.

A digest message carries a readable marker (see ``bot.adapters.discord.channel.mark``) in its last
embed's footer (or its content). After a crash between "posted" and "marked sent" the ledger
does not know whether the post went out; this lists the channel's messages created after the
claim (``GET /channels/{id}/messages?after=<snowflake>&limit=100``, paged forward by the newest
id of each page; Discord returns at most 100 per call and needs View Channel + Read Message
History, see https://discord.com/developers/docs/resources/channel#get-channel-messages) and
looks for the marker among the messages the bot itself wrote.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import discord
from discord.http import HTTPClient, Route

from bot.adapters.base import RecoveryUnavailable

DISCORD_EPOCH_MS = 1_420_070_400_000
PAGE = 100
MAX_PAGES = 20  # 2,000 messages after the claim: a channel that busy is asked no further
#: Look a little before the claim: clocks of the bot host and Discord differ slightly.
CLOCK_SLACK = timedelta(minutes=2)


def snowflake_at(when: datetime) -> int:
    """The smallest Discord id of a message created at ``when``."""
    ms = int(when.timestamp() * 1000) - DISCORD_EPOCH_MS
    return max(ms, 0) << 22


def carries(message: dict[str, Any], marker: str) -> bool:
    """``message`` shows ``marker`` (as a whole word: ``p1`` is not ``p12``) in its content or
    in an embed footer."""
    pattern = re.compile(re.escape(marker) + r"(?![0-9A-Za-z])")
    if pattern.search(str(message.get("content") or "")):
        return True
    for embed in message.get("embeds") or ():
        footer = (embed or {}).get("footer") or {}
        if pattern.search(str(footer.get("text") or "")):
            return True
    return False


async def find_posted(
    http: HTTPClient, channel_id: str, marker: str, since: datetime, *, author_id: str | None
) -> str | None:
    """The id of the bot's message in ``channel_id`` carrying ``marker`` created after ``since``.

    None when there is none; :class:`RecoveryUnavailable` when Discord cannot be asked (no Read
    Message History, the channel is gone, HTTP or network errors).
    """
    if not channel_id.isdigit():
        raise RecoveryUnavailable(f"channel {channel_id}: not a Discord channel id")
    after = snowflake_at(since - CLOCK_SLACK)
    route = Route("GET", "/channels/{channel_id}/messages", channel_id=int(channel_id))
    for _ in range(MAX_PAGES):
        try:
            page = await http.request(route, params={"after": after, "limit": PAGE})
        except discord.HTTPException as exc:
            raise RecoveryUnavailable(
                f"channel {channel_id}: HTTP {exc.status} code {exc.code}"
            ) from exc
        except (TimeoutError, OSError) as exc:
            raise RecoveryUnavailable(f"channel {channel_id}: {type(exc).__name__}") from exc
        if not isinstance(page, list) or not page:
            return None
        for message in page:
            author = str((message.get("author") or {}).get("id") or "")
            if (author_id is None or author == author_id) and carries(message, marker):
                return str(message["id"])
        if len(page) < PAGE:
            return None
        after = max(int(m["id"]) for m in page)
    raise RecoveryUnavailable(f"channel {channel_id}: more than {MAX_PAGES * PAGE} new messages")
