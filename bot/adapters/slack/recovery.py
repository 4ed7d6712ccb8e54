"""Was this digest message already posted? Read it back from Slack by its message metadata.

Digest messages are posted with ``metadata`` (``event_type`` ``signalbot_digest``, the key of
(subscription, session, part) in ``event_payload``; see ``bot.adapters.slack.channel``),
regime alerts with ``signalbot_alert`` and their own key. After a crash
between "posted" and "marked sent", :func:`find_posted` pages through ``conversations.history``
from the claim on (``oldest`` = claim time as a Unix ts, ``include_all_metadata=true`` so each
message carries its ``metadata``; pages by ``response_metadata.next_cursor`` while ``has_more``;
needs ``channels:history`` / ``groups:history``; see
https://api.slack.com/methods/conversations.history and
https://api.slack.com/metadata/using) and returns the ``ts`` of the message with that key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import RecoveryUnavailable

#: The ``event_type`` of every message the bot can read back (digest parts, alerts).
EVENT_TYPES = frozenset({"signalbot_digest", "signalbot_alert"})
PAGE = 200
MAX_PAGES = 10
#: Look a little before the claim: the bot host's clock and Slack's differ slightly.
CLOCK_SLACK = timedelta(minutes=2)


def carries(message: dict[str, Any], key: str) -> bool:
    """``message`` has the bot's metadata (digest or alert) with ``key``."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") in EVENT_TYPES and payload.get("key") == key


async def find_posted(
    client: AsyncWebClient, channel_id: str, key: str, since: datetime
) -> str | None:
    """The ``ts`` of the digest message with ``key`` posted after ``since``, or None.

    :class:`RecoveryUnavailable` when Slack cannot be asked (missing scope, errors).
    """
    oldest = f"{(since - CLOCK_SLACK).timestamp():.6f}"
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        args: dict[str, Any] = {
            "channel": channel_id,
            "oldest": oldest,
            "include_all_metadata": True,
            "limit": PAGE,
        }
        if cursor:
            args["cursor"] = cursor
        try:
            response = await client.conversations_history(**args)
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise RecoveryUnavailable(f"slack channel {channel_id}: {error or 'error'}") from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RecoveryUnavailable(f"slack channel {channel_id}: {type(exc).__name__}") from None
        for message in response.get("messages") or ():
            if carries(message, key):
                return str(message.get("ts") or "")
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            return None
    raise RecoveryUnavailable(f"slack channel {channel_id}: more than {MAX_PAGES * PAGE} messages")
