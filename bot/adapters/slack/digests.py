"""The digest's Slack poster: the subscription's workspace token (fresh), and a word to the admin.

Used by the running adapter and by ``signalbot digest run`` alike, with a single bot token or
with OAuth installs (Enterprise Grid included: see :mod:`bot.adapters.slack.installs`). When a
digest can no longer be posted (:class:`~bot.adapters.base.ChannelGone`) or must wait for an
admin (:class:`~bot.adapters.base.PostingPaused`), the admin who scheduled it gets a direct
message saying why and what to do; the error is then raised for the fan-out as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Attachment, ChannelGone, PostFailed, PostingPaused
from bot.adapters.slack.installs import Installs, TokenRefreshFailed
from bot.adapters.slack.poster import SlackPoster, Sleep
from bot.adapters.slack.teams import Teams
from bot.adapters.slack.wording import channel_param
from bot.storage import Storage
from formatting.card import LANGUAGES, Language
from formatting.i18n import Term
from formatting.messages import message_to_slack

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: Reasons after which nobody can be told in Slack (the app has no token there any more).
UNREACHABLE = frozenset({"app_uninstalled", "token_revoked", "invalid_auth", "account_inactive"})
#: Refresh errors meaning the workspace took the app's access back.
REVOKED_REFRESH = ("invalid_refresh_token", "token_revoked", "app_uninstalled")
NOTIFY_TIMEOUT = 10.0  # seconds the admin's DM may take; the digest does not wait longer
#: The same admin is told the same reason again only after this long (retries of a session's
#: delivery would otherwise send one DM each).
TELL_AGAIN_AFTER = 20 * 3600.0


def reason_term(reason: str) -> Term:
    """The catalog words for a Slack error code (``slack.reason.<code>``, else a generic one)."""
    known = {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "missing_scope",
        "app_uninstalled",
    }
    return Term(f"slack.reason.{reason}" if reason in known else "slack.reason.other")


class DigestPoster:
    """A :class:`~bot.adapters.base.Poster` for Slack digests across workspaces."""

    platform = PLATFORM

    def __init__(
        self,
        storage: Storage,
        *,
        base_url: str,
        bot_token: str | None,
        installs: Installs | None,
        default_language: Language,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self._monotonic = monotonic
        self._told: dict[tuple[str, str, str], float] = {}
        self.base_url = base_url
        self.bot_token = bot_token
        self.installs = installs
        self.default_language = default_language
        self.teams = installs.teams if installs is not None else Teams(storage)
        self.client = AsyncWebClient(
            token=bot_token if installs is None else None, base_url=base_url
        )
        self.poster = SlackPoster(self.client_for_channel, sleep=sleep, note=self.image_note)

    async def language(self, server_id: str | None, channel_id: str) -> Language:
        """The digest's language: the subscription's own, else the workspace's, else the
        default."""
        if server_id is None:
            return self.default_language
        subs = await self.storage.list_subscriptions(PLATFORM, server_id, enabled_only=False)
        own = next((s.language for s in subs if s.channel_id == channel_id), None)
        stored = own or await self.storage.get_language(PLATFORM, server_id, self.default_language)
        return next((one for one in LANGUAGES if one == stored), self.default_language)

    async def image_note(self, channel_id: str, server_id: str | None) -> str:
        """The words a digest carries when its heatmap could not be attached."""
        lang = await self.language(server_id, channel_id)
        return str(message_to_slack("slack.heatmap_text_only", {}, lang, ephemeral=False)["text"])

    async def _team_of(self, channel_id: str) -> str | None:
        subs = await self.storage.list_subscriptions(PLATFORM, enabled_only=False)
        return next((s.server_id for s in subs if s.channel_id == channel_id), None)

    async def client_for_channel(
        self, channel_id: str, server_id: str | None = None
    ) -> AsyncWebClient:
        """The Web API client holding a valid token of the channel's workspace.

        The digest passes the subscription's workspace (``server_id``); guessing it from the
        channel id is only a fallback, because a channel id typed into another workspace's
        subscription would otherwise pick the wrong token. A rotating token is refreshed
        first when it expires within two hours (and the refreshed installation stored).
        """
        if self.installs is None:
            return self.client
        team = server_id or await self._team_of(channel_id)
        if team is None:
            raise PostFailed(f"slack channel {channel_id}: no subscription names its workspace")
        try:
            token = await self.installs.bot_token(team) or self.bot_token
        except TokenRefreshFailed as exc:
            if any(code in str(exc) for code in REVOKED_REFRESH):
                raise ChannelGone(channel_id, "token_revoked") from None
            raise PostFailed(f"slack channel {channel_id}: {exc}") from None
        if token is None:
            log.warning("slack channel gone channel=%s reason=app_uninstalled", channel_id)
            raise ChannelGone(channel_id, "app_uninstalled")
        return AsyncWebClient(token=token, base_url=self.base_url)

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post through :class:`SlackPoster`; a stopped digest's admin is told why."""
        try:
            return await self.poster.send_message(channel_id, payload, files, server_id=server_id)
        except (ChannelGone, PostingPaused) as exc:
            if exc.reason not in UNREACHABLE:
                await self.tell_admin(
                    server_id or await self._team_of(channel_id),
                    channel_id,
                    exc.reason,
                    paused=isinstance(exc, PostingPaused),
                )
            raise

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """Recovery (:class:`~bot.adapters.base.Recoverable`) through :class:`SlackPoster`:
        the ``ts`` of the digest part posted with metadata ``marker``, or None."""
        return await self.poster.find_posted(channel_id, marker, since, server_id=server_id)

    async def tell_admin(
        self, server_id: str | None, channel_id: str, reason: str, *, paused: bool
    ) -> bool:
        """DM the admin who scheduled the channel's digest why it stopped; False when nobody
        could be told (unknown admin, DM refused). Never raises."""
        if server_id is None:
            return False
        told, now = (server_id, channel_id, reason), self._monotonic()
        if now - self._told.get(told, -TELL_AGAIN_AFTER) < TELL_AGAIN_AFTER:
            return False  # told already (a retry of the same failure)
        self._told[told] = now
        try:
            async with asyncio.timeout(NOTIFY_TIMEOUT):
                admin = await self.teams.created_by(server_id, channel_id)
                if admin is None:
                    return False
                lang = await self.language(server_id, channel_id)
                key = "slack.dm.digest_paused" if paused else "slack.dm.digest_stopped"
                params = {
                    "channel": channel_param(channel_id),
                    "reason": reason_term(reason),
                    "command": "/signal digest schedule",
                }
                body = message_to_slack(key, params, lang, ephemeral=False)
                client = await self.client_for_channel(channel_id, server_id)
                await client.chat_postMessage(
                    channel=admin, text=body["text"], unfurl_links=False, unfurl_media=False
                )
        except (SlackApiError, SlackClientError, ChannelGone, PostFailed, TimeoutError) as exc:
            log.warning("slack admin not told channel=%s: %s", channel_id, type(exc).__name__)
            return False
        except Exception:
            log.exception("slack admin not told channel=%s", channel_id)
            return False
        log.info("slack admin told channel=%s reason=%s paused=%s", channel_id, reason, paused)
        return True
