"""The Discord adapter: discord.py clients with our command tree, run by the runtime.

Start-up: the REST base is set (``DISCORD_API_BASE_URL`` or Discord's), a REST-only client logs
in, asks ``GET /gateway/bot`` for the gateway URL and the recommended shard count, and syncs the
commands if they changed. Then either one client connects the gateway (no sharding), or, when
``DISCORD_SHARD_COUNT`` is set or the application has more than :data:`LARGE_BOT_GUILDS` guilds,
a :class:`~bot.adapters.discord.shards.ShardRunner` connects one client per shard this process
leases (PostgreSQL advisory locks; all shards on SQLite), so N processes share the shards and
every interaction reaches exactly one of them. Digests are posted through the REST client.
Intents: guilds only, nothing privileged; no member or message cache. Cooldowns are per
process: a member's /signal cooldown lives on the process serving the guild's shard (one
guild is always served by one shard, so that is the guild's only cooldown).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import INTERNAL_API_VERSION, Route

from bot.adapters.base import (
    Attachment,
    ChannelGone,
    PostFailed,
    PostingPaused,
    RecoveryUnavailable,
)
from bot.adapters.discord.interactions import DEFER_AFTER, PLATFORM, InteractionHandler
from bot.adapters.discord.locales import reader_language
from bot.adapters.discord.permissions import english_names, missing_permissions
from bot.adapters.discord.poster import post_message
from bot.adapters.discord.shards import ShardRunner
from bot.adapters.discord.sync import sync_if_changed
from bot.adapters.discord.translator import CatalogTranslator
from bot.adapters.discord.tree import SignalTree, build_tree
from bot.cooldown import Cooldown
from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, DiscordSettings
from bot.storage import Storage
from bot.storage.shards import LEASE_INTERVAL, ShardLeases

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
        discord_settings: DiscordSettings,
        chat: ChatSettings,
        dispatcher: Dispatcher,
        storage: Storage,
        *,
        defer_after: float = DEFER_AFTER,
        clock: Callable[[], float] = time.monotonic,
        lease_interval: float = LEASE_INTERVAL,
    ) -> None:
        if discord_settings.token is None or not discord_settings.token.get_secret_value():
            raise ValueError("DISCORD_TOKEN is not set")
        self._token = discord_settings.token.get_secret_value().strip()
        self.settings = discord_settings
        self.storage = storage
        self.lease_interval = lease_interval
        self.handler = InteractionHandler(
            dispatcher,
            cooldown=Cooldown(chat.signal_cooldown_seconds, clock=clock),
            defer_after=defer_after,
        )
        use_api_base(discord_settings.api_base_url)
        self.client, self.tree = self._new_client()
        self.shard_count: int | None = discord_settings.shard_count
        self.shards: ShardRunner | None = None
        self._max_concurrency = 1
        self._logged_in = False

    def _new_client(self, shard: int | None = None) -> tuple[discord.Client, SignalTree]:
        options: dict[str, Any] = {
            "intents": intents(),
            "allowed_mentions": discord.AllowedMentions.none(),
            "member_cache_flags": discord.MemberCacheFlags.none(),
            "chunk_guilds_at_startup": False,
            "max_messages": None,
            "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
        }
        if shard is not None:
            options.update(shard_id=shard, shard_count=self.shard_count)
        client = discord.Client(**options)
        tree = build_tree(client, self.handler, self.storage)
        client.event(self.on_ready)
        client.event(self.on_guild_join)
        client.event(self.on_guild_remove)
        client.event(self.on_guild_channel_delete)
        return client, tree

    def _shard_client(self, shard: int) -> discord.Client:
        return self._new_client(shard)[0]

    @property
    def sharded(self) -> bool:
        """The gateway is split into shards (each connected by one client of one process)."""
        return self.shard_count is not None

    @property
    def ready(self) -> bool:
        """Every gateway connection this process should hold is up (for /readyz)."""
        return bool(self.connections()["ready"])

    def connections(self) -> dict[str, Any]:
        """Gateway state: ``ready``, and for sharded bots the shards held and connected."""
        if self.shards is None:
            up = self._logged_in and self.client.is_ready() and not self.client.is_closed()
            return {"ready": up, "shard_count": self.shard_count}
        held, connected = self.shards.leases.held, self.shards.connected()
        return {
            "ready": bool(held) and held == connected,
            "shard_count": self.shard_count,
            "shards_held": sorted(held),
            "shards_connected": sorted(connected),
        }

    async def login(self) -> None:
        """Log in over REST, learn the gateway and shard count, sync commands if they changed."""
        await self.client.login(self._token)
        self._logged_in = True
        guilds = self.client.application.approximate_guild_count if self.client.application else 0
        recommended = await self._gateway()
        if self.shard_count is None and guilds > LARGE_BOT_GUILDS:
            self.shard_count = max(1, recommended or math.ceil(guilds / LARGE_BOT_GUILDS))
            log.info(
                "discord application reports %d guilds; sharding in %d", guilds, self.shard_count
            )
        await self.tree.set_translator(CatalogTranslator())
        await sync_if_changed(
            self.tree,
            self.storage,
            application_id=self.client.application_id,
            guild_ids=self.settings.guild_ids,
        )

    async def _gateway(self) -> int | None:
        """``GET /gateway/bot``: connect to the URL it names; its recommended shard count."""
        try:
            shards, url, limits = await self.client.http.get_bot_gateway()
        except (discord.GatewayNotFound, discord.HTTPException, OSError) as exc:
            log.warning("discord GET /gateway/bot failed (%s); default gateway", type(exc).__name__)
            return None
        # discord.py reads the gateway URL from this class attribute (process-wide, like Route.BASE)
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self._max_concurrency = int(limits.get("max_concurrency", 1) or 1)
        return int(shards)

    async def run(self) -> None:
        """Log in, then serve gateway events (one client, or this process's shards) until stop()."""
        await self.login()
        if self.shard_count is None:
            await self.client.connect(reconnect=True)
            return
        leases = ShardLeases(self.storage.engine, self.shard_count, self.settings.shard_ids or None)
        self.shards = ShardRunner(
            self._shard_client,
            self._token,
            leases,
            interval=self.lease_interval,
            max_concurrency=self._max_concurrency,
        )
        log.info(
            "discord sharded shard_count=%d shard_ids=%s coordinated=%s",
            self.shard_count,
            list(leases.candidates()) if leases.explicit else "auto",
            leases.coordinated,
        )
        await self.shards.run()

    async def health(self) -> dict[str, bool]:
        """The gateway: READY received and the websocket open (every held shard's, when the
        shards are split across processes; see :meth:`connections`)."""
        if self.shards is not None:
            return {"gateway": self.ready}
        client = self.client
        ready = self._logged_in and client.is_ready() and not client.is_closed()
        if client.ws is not None:
            ready = ready and client.ws.open
        return {"gateway": ready}

    async def stop(self) -> None:
        """Refuse new commands, let interactions in flight finish, then close the clients."""
        await self.handler.drain(DRAIN_TIMEOUT)
        if self.shards is not None:
            await self.shards.stop()
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
        try:
            return await post_message(self.client.http, channel_id, payload, files)
        except PostingPaused as exc:
            flags = self._missing(server_id, channel_id)
            if flags:  # the cache knows exactly what is missing: say that
                reason = f"missing permission: {english_names(flags)}"
                raise PostingPaused(channel_id, reason) from exc
            raise

    def _missing(self, server_id: str | None, channel_id: str) -> list[str] | None:
        if not (server_id and server_id.isdigit() and channel_id.isdigit()):
            return None
        client = self.shards.client_for(int(server_id)) if self.shards else self.client
        guild = client.get_guild(int(server_id)) if client is not None else None
        return missing_permissions(guild, int(channel_id))

    async def open_dm(self, user_id: str) -> str:
        """The DM channel with a member (regime alerts for their own DMs)."""
        if not self._logged_in or self.client.is_closed():
            raise PostFailed(f"dm {user_id}: the Discord client is not connected")
        try:
            channel = await self.client.http.start_private_message(int(user_id))
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelGone(f"dm:{user_id}", str(exc)) from exc
        except discord.HTTPException as exc:
            raise PostFailed(f"dm {user_id}: {exc}") from exc
        return str(channel["id"])

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
        """Log who we are (the REST client's user) and which shard connected."""
        user = self.client.user
        log.info(
            "discord ready user=%s shard_count=%s connected=%s",
            user.id if user else "?",
            self.shard_count or 1,
            sorted(self.shards.connected()) if self.shards is not None else "all",
        )

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A new guild starts in the language of its community locale (zh-CN, zh-TW, en-*)."""
        lang = reader_language(guild.preferred_locale)
        server = str(guild.id)
        if lang is None or await self.storage.get_language(PLATFORM, server, "") != "":
            return
        await self.storage.set_language(PLATFORM, server, lang)
        log.info("discord guild=%s joined; language %s from its locale", server, lang)

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
