"""The Discord adapter: a discord.py client with our command tree, run by the runtime.

Start-up: the REST base is set (``DISCORD_API_BASE_URL`` or Discord's), the client logs in,
commands are synced if they changed, then the gateway connects. The client is an
``AutoShardedClient`` when ``DISCORD_SHARD_COUNT`` is set, or when the application reports more
than :data:`LARGE_BOT_GUILDS` guilds at login (then the plain client is closed and a sharded one
logs in instead: one extra login, once, for large bots only). Intents: guilds only, nothing
privileged; no member or message cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import discord
from discord.http import INTERNAL_API_VERSION, Route

from bot.adapters.base import Attachment, PostFailed, RecoveryUnavailable
from bot.adapters.discord.cooldown import Cooldown
from bot.adapters.discord.interactions import DEFER_AFTER, PLATFORM, InteractionHandler
from bot.adapters.discord.poster import post_message
from bot.adapters.discord.sync import sync_if_changed
from bot.adapters.discord.translator import CatalogTranslator
from bot.adapters.discord.tree import SignalTree, build_tree
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)

DISCORD_API_BASE = f"https://discord.com/api/v{INTERNAL_API_VERSION}"
#: Above this many guilds the bot shards (Discord recommends a shard per ~1000 guilds).
LARGE_BOT_GUILDS = 1000
#: Longest 429 ``retry_after`` waited out; longer limits fail the request (PostFailed).
MAX_RATELIMIT_WAIT = 60.0
#: Seconds stop() waits for interactions in flight (run_bot allows 8 s for the whole stop).
DRAIN_TIMEOUT = 6.0


def use_api_base(url: str | None) -> None:
    """Send discord.py's REST, webhook and interaction calls to ``url`` (None: Discord's API).

    discord.py builds every request URL from the class attribute ``Route.BASE`` (it sets it
    itself for the API version), so this is process-wide; one process runs one Discord bot.
    """
    Route.BASE = url.rstrip("/") if url else DISCORD_API_BASE


def intents() -> discord.Intents:
    """Guild events only (joins, removals, channel deletes); no privileged intent."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


class DiscordAdapter:
    """Adapter (run/stop) for the runtime and Poster (send_message) for the digest."""

    name = "discord"
    platform = PLATFORM

    def __init__(
        self,
        settings: Settings,
        dispatcher: Dispatcher,
        storage: Storage,
        *,
        defer_after: float = DEFER_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings.discord_token is None or not settings.discord_token.get_secret_value():
            raise ValueError("DISCORD_TOKEN is not set")
        self._token = settings.discord_token.get_secret_value().strip()
        self.settings = settings
        self.storage = storage
        self.handler = InteractionHandler(
            dispatcher,
            cooldown=Cooldown(settings.signal_cooldown_seconds, clock=clock),
            defer_after=defer_after,
        )
        use_api_base(settings.discord_api_base_url)
        self.client, self.tree = self._new_client(sharded=settings.discord_shard_count is not None)
        self._logged_in = False

    def _new_client(self, *, sharded: bool) -> tuple[discord.Client, SignalTree]:
        options: dict[str, Any] = {
            "intents": intents(),
            "allowed_mentions": discord.AllowedMentions.none(),
            "member_cache_flags": discord.MemberCacheFlags.none(),
            "chunk_guilds_at_startup": False,
            "max_messages": None,
            "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
        }
        client: discord.Client
        if sharded:
            client = discord.AutoShardedClient(
                shard_count=self.settings.discord_shard_count, **options
            )
        else:
            client = discord.Client(**options)
        tree = build_tree(client, self.handler, self.storage)
        client.event(self.on_ready)
        client.event(self.on_guild_remove)
        client.event(self.on_guild_channel_delete)
        return client, tree

    @property
    def sharded(self) -> bool:
        """The client is an ``AutoShardedClient``."""
        return isinstance(self.client, discord.AutoShardedClient)

    async def login(self) -> None:
        """Log in over REST, switch to sharding for large bots, sync commands if they changed."""
        await self.client.login(self._token)
        guilds = self.client.application.approximate_guild_count if self.client.application else 0
        if not self.sharded and guilds > LARGE_BOT_GUILDS:
            log.info("discord application reports %d guilds; switching to sharding", guilds)
            await self.client.close()
            self.client, self.tree = self._new_client(sharded=True)
            await self.client.login(self._token)
        self._logged_in = True
        await self.tree.set_translator(CatalogTranslator())
        await sync_if_changed(
            self.tree,
            self.storage,
            application_id=self.client.application_id,
            guild_ids=self.settings.discord_guild_ids,
        )

    async def run(self) -> None:
        """Log in, then serve gateway events until stop()."""
        await self.login()
        await self.client.connect(reconnect=True)

    async def stop(self) -> None:
        """Refuse new commands, let interactions in flight finish, then close the client."""
        await self.handler.drain(DRAIN_TIMEOUT)
        await self.client.close()
        self._logged_in = False
        log.info("discord adapter stopped")

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Poster: post ``payload`` with ``files`` to a channel; the new message's id."""
        if not self._logged_in or self.client.is_closed():
            raise PostFailed(f"channel {channel_id}: the Discord client is not connected")
        return await post_message(self.client.http, channel_id, payload, files)

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """Digest recovery: this bot's message carrying ``marker`` created after ``since``."""
        from bot.adapters.discord.recovery import find_posted

        if not self._logged_in or self.client.is_closed():
            raise RecoveryUnavailable(f"channel {channel_id}: the Discord client is not connected")
        me = self.client.user
        author = str(me.id) if me is not None else None
        return await find_posted(self.client.http, channel_id, marker, since, author_id=author)

    # -- gateway events -----------------------------------------------------------------------

    async def on_ready(self) -> None:
        """Log who we are and how many guilds we serve."""
        user = self.client.user
        log.info(
            "discord ready user=%s guilds=%d shards=%s",
            user.id if user else "?",
            len(self.client.guilds),
            self.client.shard_count or 1,
        )

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from a guild (not an outage): disable its subscriptions."""
        count = await self.storage.disable_server(
            PLATFORM, str(guild.id), "the bot was removed from the server"
        )
        log.warning(
            "discord guild=%s removed the bot; disabled %d subscription(s)", guild.id, count
        )

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A channel was deleted: disable its subscription, if any."""
        disabled = await self.storage.disable_subscription(
            PLATFORM, str(channel.guild.id), str(channel.id), "the channel was deleted"
        )
        if disabled:
            log.warning(
                "discord channel=%s guild=%s deleted; subscription disabled",
                channel.id,
                channel.guild.id,
            )
