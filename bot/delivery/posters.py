"""Posters digests and alerts send through: the running adapters, or stand-alone ones for the
CLI. An adapter is a poster when it implements :class:`~bot.delivery.poster.Poster` (typed, no
probing); the terminal, which prints, is wrapped in a :class:`TextPoster`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.adapters.base import Adapter, Attachment
from bot.delivery.poster import Poster
from bot.settings import Settings
from bot.storage import Storage

if TYPE_CHECKING:
    from bot.adapters.telegram.poster import TelegramPoster

log = logging.getLogger(__name__)


class TextPoster:
    """A poster for the terminal: hands the digest's plain text to ``post`` (which prints)."""

    platform = "terminal"

    def __init__(self, post: Callable[[str, str], Awaitable[str]]) -> None:
        self._post = post

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Show ``payload['text']``; the 'message id' is whatever ``post`` returns."""
        return await self._post(channel_id, str(payload.get("text", "")))


class Closes(Protocol):
    """A stand-alone poster holding a connection, closed when the run ends."""

    async def close(self) -> None:
        """Release the connection."""
        ...


@runtime_checkable
class PrintsText(Protocol):
    """An adapter that shows plain text in a channel (the terminal)."""

    name: str

    async def post(self, channel_id: str, text: str) -> str:
        """Show ``text``; the 'message id'."""
        ...


def adapter_posters(adapters: Sequence[Adapter]) -> dict[str, Poster]:
    """Posters by platform: adapters that are posters (Discord, Slack), and adapters that print
    (the terminal) behind a :class:`TextPoster`."""
    posters: dict[str, Poster] = {}
    for adapter in adapters:
        if isinstance(adapter, Poster):
            posters[adapter.platform] = adapter
        elif isinstance(adapter, PrintsText):
            posters[adapter.name] = TextPoster(adapter.post)
    return posters


class DiscordHttpPoster:
    """The Discord adapter's ``post_message`` over a logged-in discord.py HTTP client, without
    a gateway connection (``signalbot digest run``, benchmarks)."""

    platform = "discord"

    def __init__(self, token: str, *, base_url: str | None = None) -> None:
        self._token = token
        self._base_url = base_url
        self._http: Any = None
        self._user_id: str | None = None

    async def open(self) -> None:
        """Log in over REST (``GET /users/@me``)."""
        from discord.http import HTTPClient

        from bot.adapters.discord.client import MAX_RATELIMIT_WAIT, use_api_base

        use_api_base(self._base_url)
        self._http = HTTPClient(
            asyncio.get_running_loop(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT
        )
        me = await self._http.static_login(self._token)
        self._user_id = str(me.get("id")) if isinstance(me, dict) and me.get("id") else None

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post through ``bot.adapters.discord.poster.post_message``."""
        from bot.adapters.discord.poster import post_message

        return await post_message(self._http, channel_id, payload, files)

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """Recovery: the bot's message with ``marker`` after ``since`` (Read Message History)."""
        from bot.adapters.discord.recovery import find_posted

        return await find_posted(self._http, channel_id, marker, since, author_id=self._user_id)


def slack_web_poster(token: str, *, base_url: str | None = None) -> Poster:
    """The Slack adapter's ``SlackPoster`` over one bot-token client (``digest run``)."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.slack.poster import SlackPoster

    url = base_url.rstrip("/") + "/" if base_url else AsyncWebClient.BASE_URL
    client = AsyncWebClient(token=token, base_url=url)

    async def client_for(channel_id: str, server_id: str | None) -> AsyncWebClient:
        return client

    return SlackPoster(client_for)


async def standalone_posters(
    settings: Settings, storage: Storage | None = None
) -> tuple[dict[str, Poster], list[Closes]]:
    """Discord, Slack and Telegram posters from the settings' tokens (each optional), ready to
    post.

    With ``storage``, Slack also posts in OAuth mode (each workspace's installation, Enterprise
    Grid included, tokens refreshed), and a Telegram group found migrated to a supergroup is
    moved there. The second value lists the posters holding a connection, for the caller to
    close.
    """
    posters: dict[str, Poster] = {}
    opened: list[Closes] = []
    if settings.discord.token is not None and settings.discord.enabled:
        token = settings.discord.token.get_secret_value().strip()
        discord = DiscordHttpPoster(token, base_url=settings.discord.api_base_url)
        try:
            await discord.open()
        except Exception:
            log.exception("digest poster platform=discord could not start")
            await discord.close()
        else:
            posters["discord"] = discord
            opened.append(discord)
    if storage is not None and (settings.slack.oauth or _has(settings.slack.bot_token)):
        from bot.adapters.slack import open_digest_poster

        try:
            slack = await open_digest_poster(settings.slack, settings.chat, storage)
        except Exception:
            log.exception("digest poster platform=slack could not start")
            slack = None
        if slack is not None:
            posters["slack"] = slack
    elif settings.slack.bot_token is not None and settings.slack.bot_token.get_secret_value():
        token = settings.slack.bot_token.get_secret_value().strip()
        posters["slack"] = slack_web_poster(token, base_url=settings.slack.api_base_url)
    telegram = await _telegram_poster(settings, storage)
    if telegram is not None:
        posters["telegram"] = telegram
        opened.append(telegram)
    return posters, opened


async def _telegram_poster(settings: Settings, storage: Storage | None) -> TelegramPoster | None:
    """The Telegram poster of ``TELEGRAM_BOT_TOKEN``, or None (not set, or could not log in)."""
    if not settings.telegram.enabled or settings.telegram.bot_token is None:
        return None
    from bot.adapters.telegram.poster import open_poster

    on_migrate = None
    if storage is not None:
        store = storage

        async def on_migrate(old_id: str, new_id: str) -> None:
            await store.move_chat("telegram", old_id, new_id)

    token = settings.telegram.bot_token.get_secret_value().strip()
    try:
        return await open_poster(token, base_url=settings.telegram.base_url, on_migrate=on_migrate)
    except Exception as exc:  # the message only: a traceback could quote the request URL
        log.error("digest poster platform=telegram could not start: %s", type(exc).__name__)
        return None


def _has(secret: Any) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())
