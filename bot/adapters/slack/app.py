"""The Slack adapter: a bolt ``AsyncApp`` in the bot's loop, over Socket Mode or HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Attachment
from bot.adapters.slack.digests import DigestPoster
from bot.adapters.slack.events import Events
from bot.adapters.slack.handlers import COMMAND, PLATFORM, SlashCommand
from bot.adapters.slack.home import HomeTab
from bot.adapters.slack.installs import Installs, create_installs
from bot.adapters.slack.poster import Sleep, slack_error
from bot.adapters.slack.server import HttpServer, web_app
from bot.adapters.slack.watchdog import CHECK_EVERY, SocketWatchdog
from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, SlackSettings
from bot.storage import Storage
from formatting.messages import message_text

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://slack.com/api/"
STOP_TIMEOUT = 6.0  # seconds in-flight replies get on stop (run_bot allows 8 per adapter)
#: auth.test errors at start-up that mean the configuration is wrong (not a passing outage).
BAD_TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})


def _secret(value: SecretStr | None) -> str | None:
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def api_base_url(settings: SlackSettings) -> str:
    """``SLACK_API_BASE_URL`` with the trailing slash slack_sdk joins method names onto."""
    base = settings.api_base_url or DEFAULT_API_BASE_URL
    return base if base.endswith("/") else base + "/"


class SlackAdapter:
    """An :class:`~bot.adapters.base.Adapter` and a :class:`~bot.adapters.base.Poster`."""

    name = "slack"
    platform = PLATFORM

    def __init__(
        self,
        settings: SlackSettings,
        chat: ChatSettings,
        dispatcher: Dispatcher,
        storage: Storage,
        *,
        port: int = 3000,
        host: str = "0.0.0.0",  # noqa: S104 - Slack must reach the HTTP endpoint
        sleep: Sleep = asyncio.sleep,
        watchdog_interval: float = CHECK_EVERY,
    ) -> None:
        self.settings = settings
        self.watchdog_interval = watchdog_interval
        self.watchdog: SocketWatchdog | None = None
        self.storage = storage
        self.host = host
        self.port = port
        self.base_url = api_base_url(settings)
        self.bot_token = _secret(settings.bot_token)
        self.app_token = _secret(settings.app_token)
        self.signing_secret = _secret(settings.signing_secret)
        if self.app_token is None and self.signing_secret is None:
            raise ValueError("Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)")
        self.installs: Installs | None = create_installs(settings, storage, base_url=self.base_url)
        # With OAuth each request gets its workspace's token from the installation store.
        token = self.bot_token if self.installs is None else None
        self.client = AsyncWebClient(token=token, base_url=self.base_url)
        self.app: Any = AsyncApp(
            name="signalbot",
            client=self.client,
            signing_secret=self.signing_secret or "",
            installation_store=self.installs.store if self.installs else None,
            oauth_settings=self.installs.oauth_settings if self.installs else None,
            request_verification_enabled=True,
            user_facing_authorize_error_message=message_text(
                "slack.error.not_installed", {}, chat.default_language
            ),
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._running = False
        self._stopped = asyncio.Event()
        self._socket: Any = None
        self._http: HttpServer | None = None
        #: False when run_bot's ops server serves :meth:`http_app` on the shared port instead.
        self.serve_http = True
        self.poster = DigestPoster(
            storage,
            base_url=self.base_url,
            bot_token=self.bot_token,
            installs=self.installs,
            default_language=chat.default_language,
            sleep=sleep,
        )
        self.events = Events(storage, self.installs)
        self.commands = SlashCommand(
            settings, chat, dispatcher, spawn=self._spawn, teams=self.poster.teams
        )
        self.home = HomeTab(dispatcher, storage, spawn=self._spawn)
        self.app.use(self.events.drop_retries)
        self.app.use(self.events.remember_team)
        self.app.command(COMMAND)(self.commands.on_command)
        self.app.event("app_home_opened")(self.home.on_home_opened)
        # uninstalls delete stored tokens (OAuth) and stop the workspace's digests at once
        self.app.event("app_uninstalled")(self.events.on_app_uninstalled)
        self.app.event("tokens_revoked")(self.events.on_tokens_revoked)

    def connections(self) -> dict[str, bool]:
        """``{"slack_connected": ...}``: Socket Mode connected (per the watchdog's last
        check), or the HTTP endpoint listening (the ops server's, when it serves ours)."""
        if self.socket_mode:
            connected = self.watchdog is not None and self.watchdog.connected
        else:
            listening = self._http is not None or (not self.serve_http and self._running)
            connected = listening and not self._closing
        return {"slack_connected": connected}

    @property
    def ready(self) -> bool:
        """The adapter can take requests now (see :meth:`connections`)."""
        return all(self.connections().values())

    @property
    def socket_mode(self) -> bool:
        """Socket Mode (an app token is set); otherwise HTTP mode."""
        return self.app_token is not None

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run acknowledged work in a task that :meth:`stop` waits for."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every acknowledged request has been answered (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def prepare(self) -> None:
        """Create the OAuth tables, and check the bot token once (a wrong token fails here)."""
        if self.installs is not None:
            await self.installs.create_tables()
            return
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            if slack_error(exc) in BAD_TOKEN_ERRORS:
                raise RuntimeError(f"SLACK_BOT_TOKEN was refused: {slack_error(exc)}") from None
            log.warning("slack auth.test failed (%s); continuing", slack_error(exc))
            return
        log.info("slack connected team=%s bot_user=%s", auth.get("team_id"), auth.get("user_id"))

    async def run(self) -> None:
        """Serve Socket Mode or HTTP (plus the OAuth pages when configured) until stopped."""
        await self.prepare()
        if self.socket_mode:
            self._socket = AsyncSocketModeHandler(self.app, self.app_token, web_client=self.client)
            await self._socket.connect_async()
            log.info("slack socket mode connected")
            self.watchdog = SocketWatchdog(self._socket.client, interval=self.watchdog_interval)
            self.watchdog.start()
        routes = self.http_app()
        if routes is not None and self.serve_http:
            self._http = HttpServer(routes, host=self.host, port=self.port)
            await self._http.start()
            self.port = self._http.port  # the one bound when given 0
        self._running = True
        await self._stopped.wait()

    def http_app(self) -> web.Application | None:
        """The HTTP routes (events in HTTP mode, OAuth pages), or None in plain Socket Mode."""
        if self.socket_mode and self.installs is None:
            return None
        return web_app(self.app, events=not self.socket_mode and self.signing_secret is not None)

    async def health(self) -> dict[str, bool]:
        """Socket Mode connected (in Socket Mode), and serving requests."""
        parts = {"running": self._running and not self._closing}
        if self.socket_mode:
            parts["socket_mode"] = self._socket is not None and bool(
                await self._socket.client.is_connected()
            )
        return parts

    async def stop(self) -> None:
        """Stop taking requests, let acknowledged ones finish (bounded), close connections."""
        if self._closing:
            await self._stopped.wait()
            return
        self._closing = True
        try:
            if self.watchdog is not None:
                await self.watchdog.stop()
            if self._socket is not None:
                await self._socket.close_async()
            if self._http is not None:
                await self._http.stop()
            if self._tasks:
                _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_TIMEOUT)
                for task in pending:
                    task.cancel()
                if pending:
                    log.warning("slack stop: %d replies cancelled", len(pending))
        finally:
            self._stopped.set()

    async def client_for_channel(
        self, channel_id: str, server_id: str | None = None
    ) -> AsyncWebClient:
        """:meth:`DigestPoster.client_for_channel` (the workspace's fresh token)."""
        return await self.poster.client_for_channel(channel_id, server_id)

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """:meth:`DigestPoster.send_message` (rate limits honoured, lost channels reported)."""
        return await self.poster.send_message(channel_id, payload, files, server_id=server_id)

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """:meth:`DigestPoster.find_posted` (digest recovery after a crash)."""
        return await self.poster.find_posted(channel_id, marker, since, server_id=server_id)
