"""Posting ready-made ``chat.postMessage`` bodies: rate limits honoured, lost channels reported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.base import Attachment, ChannelGone, PostFailed

log = logging.getLogger(__name__)

#: Slack errors after which posting to the channel can never succeed: disable, do not retry.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "app_uninstalled",
    }
)
MAX_ATTEMPTS = 4  # one call and up to three waits of Retry-After
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is capped (the next attempt decides)
DEFAULT_RETRY_AFTER = 1.0

#: (channel id, workspace id or None) -> a Web API client holding that workspace's token
ClientFor = Callable[[str, str | None], Awaitable[AsyncWebClient]]
Sleep = Callable[[float], Awaitable[None]]


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """Seconds from a ``Retry-After`` header (any case), bounded; 1 s when missing or bad."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def slack_error(exc: SlackApiError) -> str:
    """The ``error`` code of a failed Web API call (``ratelimited``, ``channel_not_found``...)."""
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if not error and response.status_code == 429:
        return "ratelimited"
    return str(error or f"http_{response.status_code}")


async def call_slack(
    channel_id: str,
    call: Callable[[], Awaitable[AsyncSlackResponse]],
    *,
    sleep: Sleep = asyncio.sleep,
    max_attempts: int = MAX_ATTEMPTS,
) -> AsyncSlackResponse:
    """Run one Web API call: ``ratelimited`` waits ``Retry-After`` and retries (bounded);
    permanent channel errors raise :class:`ChannelGone`, every other failure :class:`PostFailed`.
    """
    for attempt in range(1, max_attempts + 1):
        try:
            return await call()
        except SlackApiError as exc:
            error = slack_error(exc)
            if error == "ratelimited" and attempt < max_attempts:
                wait = retry_after(exc.response.headers)
                log.warning(
                    "slack ratelimited channel=%s attempt=%d retry_after=%.1f",
                    channel_id,
                    attempt,
                    wait,
                )
                await sleep(wait)
                continue
            if error in PERMANENT_ERRORS:
                log.warning("slack channel gone channel=%s reason=%s", channel_id, error)
                raise ChannelGone(channel_id, error) from None
            raise PostFailed(f"slack channel {channel_id}: {error}") from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise PostFailed(f"slack channel {channel_id}: {type(exc).__name__}") from None
    raise PostFailed(f"slack channel {channel_id}: still ratelimited after {max_attempts} tries")


class SlackPoster:
    """The digest's way into Slack: ``chat.postMessage``, then files in the message's thread."""

    platform = "slack"

    def __init__(self, client_for: ClientFor, *, sleep: Sleep = asyncio.sleep) -> None:
        self._client_for = client_for
        self._sleep = sleep

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post ``payload`` to ``channel_id`` (files in its thread); return the message ``ts``."""
        client = await self._client_for(channel_id, server_id)
        body = {**payload, "channel": channel_id}
        response = await call_slack(
            channel_id, lambda: client.chat_postMessage(**body), sleep=self._sleep
        )
        ts = str(response.get("ts") or "")
        if files:
            uploads = [
                {"file": f.data, "filename": f.filename, "title": f.filename}
                | ({"alt_txt": f.description} if f.description else {})
                for f in files
            ]
            try:  # the message is out: a failed chart is logged, never a reason to post again
                await call_slack(
                    channel_id,
                    lambda: client.files_upload_v2(
                        file_uploads=uploads, channel=channel_id, thread_ts=ts or None
                    ),
                    sleep=self._sleep,
                )
            except (ChannelGone, PostFailed) as exc:
                log.warning("slack files not posted channel=%s ts=%s: %s", channel_id, ts, exc)
        log.info("slack posted channel=%s ts=%s files=%d", channel_id, ts, len(files))
        return ts

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """Recovery (:class:`~bot.adapters.base.Recoverable`): see :func:`find_digest_message`."""
        return await find_digest_message(self._client_for, channel_id, marker, since, server_id)


async def find_digest_message(
    client_for: ClientFor, channel_id: str, key: str, since: datetime, server_id: str | None
) -> str | None:
    """Recovery for the digest: the ``ts`` of the message posted with metadata ``key``."""
    from bot.adapters.slack.recovery import find_posted

    client = await client_for(channel_id, server_id)
    return await find_posted(client, channel_id, key, since)
