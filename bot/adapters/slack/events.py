"""Global bolt middleware (retried events handled once, workspaces remembered) and uninstalls.

Slack retries an event it thinks was not acknowledged (HTTP: ``X-Slack-Retry-Num`` and
``X-Slack-Retry-Reason`` headers; Socket Mode: ``retry_attempt`` in the envelope) with the same
``event_id``; an id seen recently is acked and dropped here, so an ``app_home_opened`` retry does
not publish twice and an ``app_uninstalled`` retry does not run the cleanup again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.adapters.slack.installs import Installs
from bot.adapters.slack.teams import Team, Teams
from bot.storage import Storage

log = logging.getLogger(__name__)

PLATFORM = "slack"
RECENT_EVENTS = 5000  # event ids kept; Slack retries within minutes (three tries at most)
UNINSTALLED = "app uninstalled"
REVOKED = "bot token revoked"

Next = Callable[[], Awaitable[None]]


class RecentEvents:
    """The last :data:`RECENT_EVENTS` event ids (insertion order, oldest dropped first)."""

    def __init__(self, size: int = RECENT_EVENTS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen, False for a repeat."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def retry_num(headers: dict[str, Any]) -> str:
    """The ``X-Slack-Retry-Num`` header (bolt lower-cases names and lists values), or ''."""
    value = headers.get("x-slack-retry-num") or [""]
    return str(value[0] if isinstance(value, list | tuple) else value)


class Events:
    """Middleware and event listeners that keep storage in step with the workspaces."""

    def __init__(self, storage: Storage, installs: Installs | None) -> None:
        self.storage = storage
        self.installs = installs
        self.teams = installs.teams if installs is not None else Teams(storage)
        self.recent = RecentEvents()

    async def drop_retries(self, body: dict[str, Any], request: Any, next_: Next) -> Any:
        """Global middleware: an event id already handled is acked (200) and not run again."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not self.recent.first_time(event_id):
            log.info(
                "slack event retry dropped event_id=%s retry_num=%s",
                event_id,
                retry_num(request.headers) or "-",
            )
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def remember_team(self, context: Any, next_: Next) -> None:
        """Global middleware: record the workspace's org and install kind for digests."""
        team_id = context.team_id or context.enterprise_id
        if team_id:
            team = Team(str(team_id), context.enterprise_id, bool(context.is_enterprise_install))
            try:
                await self.teams.remember(team)
            except Exception:  # never a reason to refuse the request
                log.exception("slack could not remember team=%s", team_id)
        await next_()

    async def _stop_digests(self, enterprise_id: str | None, team_id: str | None, why: str) -> int:
        """Disable the digests of the workspace, or of every known workspace of the org."""
        servers = {team_id} if team_id else set()
        if enterprise_id and not team_id:
            servers |= {enterprise_id, *await self.teams.of_enterprise(enterprise_id)}
        count = 0
        for server in sorted(servers):
            count += await self.storage.disable_server(PLATFORM, server, why)
        return count

    async def _uninstalled(self, context: Any, why: str) -> None:
        enterprise_id = context.enterprise_id
        team_id = None if context.is_enterprise_install else context.team_id
        if self.installs is not None:
            await self.installs.delete(enterprise_id, team_id)
        count = await self._stop_digests(enterprise_id, team_id, why)
        log.warning(
            "slack %s enterprise=%s team=%s installs deleted, digests disabled=%d",
            why,
            enterprise_id or "-",
            team_id or "-",
            count,
        )

    async def on_app_uninstalled(self, context: Any) -> None:
        """``app_uninstalled``: delete the installations, disable the workspace's digests."""
        await self._uninstalled(context, UNINSTALLED)

    async def on_tokens_revoked(self, event: dict[str, Any], context: Any) -> None:
        """``tokens_revoked``: a revoked bot token is an uninstall for the digests; revoked
        user tokens delete those users' installations only."""
        tokens = event.get("tokens") or {}
        enterprise_id = context.enterprise_id
        team_id = None if context.is_enterprise_install else context.team_id
        if self.installs is not None:
            for user_id in tokens.get("oauth") or []:
                await self.installs.store.async_delete_installation(
                    enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
                )
        if tokens.get("bot"):
            await self._uninstalled(context, REVOKED)
