"""Posting ready-made ``chat.postMessage`` bodies: rate limits honoured, lost channels reported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from bot.adapters.slack.images import (
    ImagesNotReady,
    Uploaded,
    not_ready,
    send_with_images,
    upload_files,
    with_images,
    with_note,
)

log = logging.getLogger(__name__)

#: Slack errors after which posting to the channel can never succeed: disable, do not retry.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "app_uninstalled",
    }
)
#: Errors an admin can fix (invite the app to the private channel, grant the scope, lift a
#: posting restriction): the digest pauses and is tried again next session.
PAUSE_ERRORS = frozenset({"not_in_channel", "missing_scope", "restricted_action"})
MAX_ATTEMPTS = 4  # one call and up to three waits of Retry-After
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is capped (the next attempt decides)
DEFAULT_RETRY_AFTER = 1.0

#: (channel id, workspace id or None) -> a Web API client holding that workspace's token
ClientFor = Callable[[str, str | None], Awaitable[AsyncWebClient]]
Sleep = Callable[[float], Awaitable[None]]
#: (channel id, workspace id or None) -> the words saying an image could not be attached
NoteFor = Callable[[str, str | None], Awaitable[str]]


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
    passthrough: Callable[[SlackApiError], bool] | None = None,
) -> AsyncSlackResponse:
    """Run one Web API call: ``ratelimited`` waits ``Retry-After`` and retries (bounded);
    permanent channel errors raise :class:`ChannelGone`, fixable ones :class:`PostingPaused`,
    every other failure :class:`PostFailed`; errors ``passthrough`` accepts are re-raised.
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
            if passthrough is not None and passthrough(exc):
                raise
            if error in PAUSE_ERRORS:
                log.warning("slack posting paused channel=%s reason=%s", channel_id, error)
                raise PostingPaused(channel_id, error) from None
            if error in PERMANENT_ERRORS:
                log.warning("slack channel gone channel=%s reason=%s", channel_id, error)
                raise ChannelGone(channel_id, error) from None
            raise PostFailed(f"slack channel {channel_id}: {error}") from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise PostFailed(f"slack channel {channel_id}: {type(exc).__name__}") from None
    raise PostFailed(f"slack channel {channel_id}: still ratelimited after {max_attempts} tries")


class SlackPoster:
    """The digest's way into Slack: files uploaded first, then one ``chat.postMessage`` whose
    blocks show them (``slack_file`` image blocks; see :mod:`bot.adapters.slack.images`)."""

    platform = "slack"

    def __init__(
        self,
        client_for: ClientFor,
        *,
        sleep: Sleep = asyncio.sleep,
        note: NoteFor | None = None,
    ) -> None:
        self._client_for = client_for
        self._sleep = sleep
        self._note = note

    async def _note_block(self, channel_id: str, server_id: str | None) -> dict[str, Any] | None:
        if self._note is None:
            return None
        try:
            text = await self._note(channel_id, server_id)
        except Exception:  # the message matters more than the note
            log.exception("slack image note failed channel=%s", channel_id)
            return None
        return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post ``payload`` (with ``files`` as image blocks) to ``channel_id``; return the
        message ``ts``. A refused upload posts the message without that image, and the note
        (if any) says so in the message."""
        client = await self._client_for(channel_id, server_id)
        images = await upload_files(client, files) if files else []
        note = await self._note_block(channel_id, server_id) if files else None
        body = {**payload, "channel": channel_id}
        if len(images) < len(files) and note is not None:
            body["blocks"] = with_note(body.get("blocks") or [], note)
            note = None  # said once
        response, shown = await post_with_images(
            client, channel_id, body, images, sleep=self._sleep, note=note
        )
        ts = str(response.get("ts") or "")
        log.info(
            "slack posted channel=%s ts=%s images=%d/%d",
            channel_id,
            ts,
            len(images) if shown else 0,
            len(files),
        )
        return ts

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """Recovery (:class:`~bot.adapters.base.Recoverable`): see :func:`find_digest_message`."""
        return await find_digest_message(self._client_for, channel_id, marker, since, server_id)


async def post_with_images(
    client: AsyncWebClient,
    channel_id: str,
    body: dict[str, Any],
    images: Sequence[Uploaded],
    *,
    sleep: Sleep = asyncio.sleep,
    note: dict[str, Any] | None = None,
) -> tuple[AsyncSlackResponse, bool]:
    """``chat.postMessage`` of ``body`` with image blocks for ``images`` (files not processed
    yet: sent again briefly, then without them); the response and whether the images went."""

    async def send(one: dict[str, Any]) -> AsyncSlackResponse:
        try:
            return await call_slack(
                channel_id,
                lambda: client.chat_postMessage(**one),
                sleep=sleep,
                passthrough=not_ready if images else None,
            )
        except SlackApiError:  # only what not_ready let through
            raise ImagesNotReady from None

    if not images:
        return await send(body), False
    return await send_with_images(send, with_images(body, images), sleep=sleep, note=note)


async def find_digest_message(
    client_for: ClientFor, channel_id: str, key: str, since: datetime, server_id: str | None
) -> str | None:
    """Recovery for the digest: the ``ts`` of the message posted with metadata ``key``."""
    from bot.adapters.slack.recovery import find_posted

    client = await client_for(channel_id, server_id)
    return await find_posted(client, channel_id, key, since)
