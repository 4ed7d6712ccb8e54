"""Multi-workspace installs (OAuth): slack_sdk's SQLAlchemy stores on the bot's own database.

slack_sdk ships async twins of its SQLAlchemy installation and OAuth-state stores that take an
``AsyncEngine``, so they share the storage engine (aiosqlite or asyncpg) instead of a second, sync
engine. Their tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) are created
with ``create_all`` at start-up, only when OAuth is configured.

Finding a workspace's token follows bolt's ``AsyncInstallationStoreAuthorize``: the latest
installation for (enterprise id, team id), where an org-wide install (``is_enterprise_install``)
is looked up by the org alone (slack_sdk's store then searches ``team_id IS NULL``); if that
installation has no bot token, the latest bot. An expiring token (token rotation) is refreshed
with slack_sdk's ``AsyncTokenRotator`` and the refreshed installation saved, as bolt does.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import desc, select

from bot.adapters.slack.teams import Team, Teams
from bot.settings import SlackSettings
from bot.storage import Storage

log = logging.getLogger(__name__)

#: Bot scopes: the slash command, posting (also to public channels the app has not joined),
#: chart uploads, users.info for the admin check, conversations.info (public and private
#: channels, DMs, group DMs) to check where a digest is scheduled.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "users:read",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "channels:history",  # digest recovery after a crash: conversations.history (issue 10)
    "groups:history",
)
STATE_EXPIRATION_SECONDS = 600
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
#: Refresh a rotating token this long before it expires (bolt's default).
ROTATE_MINUTES_BEFORE = 120


class TokenRefreshFailed(Exception):
    """The workspace's rotating token could not be refreshed (refresh token revoked, outage)."""


@dataclass(frozen=True)
class Installs:
    """Where workspaces' bot tokens live when the app is installed through OAuth."""

    store: AsyncSQLAlchemyInstallationStore
    states: AsyncSQLAlchemyOAuthStateStore
    oauth_settings: Any  # slack_bolt's AsyncOAuthSettings (untyped)
    rotator: AsyncTokenRotator
    teams: Teams
    #: one refresh at a time per workspace: digests post concurrently, and two refreshes with
    #: the same refresh token would leave the first new token to expire at once
    _refreshing: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def create_tables(self) -> None:
        """Create the installation and state tables if missing (idempotent)."""
        for metadata in (self.store.metadata, self.states.metadata):
            async with self.store.engine.begin() as conn:
                await conn.run_sync(metadata.create_all)

    async def _installed_enterprise(self, team_id: str) -> str | None:
        """The org of a workspace install inside a Grid, from the installation rows."""
        table = self.store.installations
        query = (
            select(table.c.enterprise_id)
            .where(table.c.client_id == self.store.client_id, table.c.team_id == team_id)
            .order_by(desc(table.c.installed_at))
            .limit(1)
        )
        async with self.store.engine.connect() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return str(value) if value else None

    async def _team(self, server_id: str) -> Team:
        seen = await self.teams.get(server_id)
        if seen is not None:
            return seen
        if server_id.startswith("E"):  # an org-level request had no workspace: the org itself
            return Team(server_id, server_id, True)
        return Team(server_id, await self._installed_enterprise(server_id), False)

    async def find(self, server_id: str) -> Installation | None:
        """The installation serving the workspace (or org) ``server_id``, as bolt finds it."""
        team = await self._team(server_id)
        team_id = None if team.is_enterprise_install else team.team_id
        found = await self.store.async_find_installation(
            enterprise_id=team.enterprise_id,
            team_id=team_id,
            is_enterprise_install=team.is_enterprise_install,
        )
        if found is None and team.enterprise_id:
            # the install kind changed since the workspace's last request was seen
            org = not team.is_enterprise_install
            found = await self.store.async_find_installation(
                enterprise_id=team.enterprise_id,
                team_id=None if org else team.team_id,
                is_enterprise_install=org,
            )
        if found is not None and found.bot_token is None:  # a user-only install: latest bot
            bot = await self.store.async_find_bot(
                enterprise_id=found.enterprise_id,
                team_id=found.team_id,
                is_enterprise_install=found.is_enterprise_install,
            )
            if bot is None:
                return None
            found.bot_token = bot.bot_token
            found.bot_refresh_token = bot.bot_refresh_token
            found.bot_token_expires_at = bot.bot_token_expires_at
        return found

    async def bot_token(self, server_id: str) -> str | None:
        """A valid bot token for the workspace, refreshed first when it expires soon; None when
        the app is not installed there. Raises :class:`TokenRefreshFailed`."""
        lock = self._refreshing.setdefault(server_id, asyncio.Lock())
        async with lock:
            return await self._bot_token(server_id)

    async def _bot_token(self, server_id: str) -> str | None:
        installation = await self.find(server_id)
        if installation is None or installation.bot_token is None:
            return None
        if installation.bot_refresh_token is None:
            return installation.bot_token
        try:
            refreshed = await self.rotator.perform_token_rotation(
                installation=installation, minutes_before_expiration=ROTATE_MINUTES_BEFORE
            )
        except SlackTokenRotationError as exc:
            error = exc.api_error.response.get("error") if exc.api_error else "unknown"
            log.warning("slack token refresh failed server=%s error=%s", server_id, error)
            raise TokenRefreshFailed(f"token refresh failed: {error}") from None
        if refreshed is None:
            return installation.bot_token
        await self.store.async_save(refreshed)
        log.info("slack bot token refreshed server=%s", server_id)
        return refreshed.bot_token

    async def delete(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete every installation and bot of the workspace (or, team None, of the org)."""
        await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)


def create_installs(
    settings: SlackSettings, storage: Storage, *, base_url: str | None = None
) -> Installs | None:
    """The OAuth stores and settings on ``storage``'s engine, or None without OAuth credentials.

    ``base_url`` is the Web API the token rotator calls (``oauth.v2.access``).
    """
    if not settings.oauth or settings.client_secret is None:
        return None
    client_id = str(settings.client_id)
    client_secret = settings.client_secret.get_secret_value()
    store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=storage.engine)
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=storage.engine
    )
    oauth_settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        state_store=states,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE,
    )
    client = AsyncWebClient(base_url=base_url) if base_url else AsyncWebClient()
    rotator = AsyncTokenRotator(client_id=client_id, client_secret=client_secret, client=client)
    log.info("slack oauth enabled client_id=%s install_path=%s", client_id, INSTALL_PATH)
    return Installs(
        store=store,
        states=states,
        oauth_settings=oauth_settings,
        rotator=rotator,
        teams=Teams(storage),
    )
