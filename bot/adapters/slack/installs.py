"""Multi-workspace installs (OAuth): slack_sdk's SQLAlchemy stores on the bot's own database.

slack_sdk ships async twins of its SQLAlchemy installation and OAuth-state stores that take an
``AsyncEngine``, so they share the storage engine (aiosqlite or asyncpg) instead of a second, sync
engine. Their tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) are created
with ``create_all`` at start-up, only when OAuth is configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)

#: Bot scopes: the slash command, posting (also to public channels the app has not joined),
#: chart uploads, and users.info for the admin check.
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "files:write", "users:read")
STATE_EXPIRATION_SECONDS = 600
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


@dataclass(frozen=True)
class Installs:
    """Where workspaces' bot tokens live when the app is installed through OAuth."""

    store: AsyncSQLAlchemyInstallationStore
    states: AsyncSQLAlchemyOAuthStateStore
    oauth_settings: Any  # slack_bolt's AsyncOAuthSettings (untyped)

    async def create_tables(self) -> None:
        """Create the installation and state tables if missing (idempotent)."""
        for metadata in (self.store.metadata, self.states.metadata):
            async with self.store.engine.begin() as conn:
                await conn.run_sync(metadata.create_all)

    async def bot_token(self, team_id: str) -> str | None:
        """The bot token of the workspace's latest install, or None (not installed, removed)."""
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None


def oauth_enabled(settings: Settings) -> bool:
    """Both OAuth credentials are set."""
    secret = settings.slack_client_secret
    return bool(settings.slack_client_id) and bool(secret and secret.get_secret_value().strip())


def create_installs(settings: Settings, storage: Storage) -> Installs | None:
    """The OAuth stores and settings on ``storage``'s engine, or None without OAuth credentials."""
    if not oauth_enabled(settings) or settings.slack_client_secret is None:
        return None
    client_id = str(settings.slack_client_id)
    store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=storage.engine)
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=storage.engine
    )
    oauth_settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        state_store=states,
    )
    log.info("slack oauth enabled client_id=%s install_path=%s", client_id, INSTALL_PATH)
    return Installs(store=store, states=states, oauth_settings=oauth_settings)
