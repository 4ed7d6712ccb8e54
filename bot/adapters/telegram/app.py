"""The Telegram adapter: python-telegram-bot's ``Application`` in the bot's event loop.

Long polling by default (``getUpdates``; no public address needed), or webhook mode when
``TELEGRAM_WEBHOOK_URL`` is set: Telegram posts updates to that URL, which the ops HTTP server
answers on ``SIGNALBOT_HTTP_PORT`` (:mod:`.webhook`). Requests go through ``AIORateLimiter``,
which keeps Telegram's limits (about one message per second in a chat, 20 a minute in a group,
30 a second overall: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)
and retries a 429 after its ``retry_after``. ``TELEGRAM_API_BASE_URL`` has the meaning of
python-telegram-bot's ``base_url``: methods are called at ``{base}{token}/{method}``.

Digests and alerts go through the delivery side's ``TelegramPoster`` over a ``telegram.Bot`` of
its own (it paces each chat and handles ``retry_after`` and migrations itself), so this adapter
is an :class:`~bot.adapters.base.Adapter` and a :class:`~bot.delivery.poster.Poster` at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.adapters.base import AdapterUnusable, Attachment
from bot.adapters.telegram.handlers import PLATFORM, Handlers
from bot.adapters.telegram.menu import sync_menus
from bot.adapters.telegram.webhook import (
    ALLOWED_UPDATES,
    derived_secret,
    webhook_app,
    webhook_path,
)
from bot.cooldown import Cooldown
from bot.dispatch import Dispatcher
from bot.settings import ChatSettings, TelegramSettings
from bot.storage import Storage

if TYPE_CHECKING:
    from telegram import Bot, Update
    from telegram.ext import Application

    from bot.adapters.telegram.poster import TelegramPoster

log = logging.getLogger(__name__)

#: Seconds a ``getUpdates`` long poll waits on Telegram's side.
POLL_TIMEOUT = 10
#: Updates handled at once (a slow card does not hold up the others).
CONCURRENT_UPDATES = 32
#: Longest pause between two ``getMe`` while Telegram cannot be reached at start-up.
MAX_LOGIN_WAIT = 60.0
#: 429s a reply waits out (the rate limiter sleeps ``retry_after``) before it gives up.
REPLY_RETRIES = 2


class TelegramAdapter:
    """Adapter (run/stop/health) for the runtime, Poster (``send_message``) for deliveries."""

    name = PLATFORM
    platform = PLATFORM

    def __init__(
        self,
        settings: TelegramSettings,
        chat: ChatSettings,
        dispatcher: Dispatcher,
        storage: Storage | None,
        *,
        port: int = 3000,
        host: str = "0.0.0.0",  # noqa: S104 - Telegram reaches the webhook from outside
    ) -> None:
        from telegram import Bot
        from telegram.ext import AIORateLimiter, ApplicationBuilder

        from bot.adapters.telegram.failures import use_timedelta
        from bot.adapters.telegram.polling import PollingRequest, PollWatch

        use_timedelta()  # python-telegram-bot warns on every 429 otherwise
        assert settings.bot_token is not None
        self._token = settings.bot_token.get_secret_value().strip()
        self.settings = settings
        self.storage = storage
        self.webhook_url = settings.webhook_url
        secret = settings.webhook_secret
        self.secret = secret.get_secret_value() if secret else derived_secret(self._token)
        builder = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(settings.base_url)
            .rate_limiter(AIORateLimiter(max_retries=REPLY_RETRIES))
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        self.polls = PollWatch()  # did the last getUpdates answer (health, one log per outage)
        if self.webhook_url:
            builder = builder.updater(None)
        else:
            builder = builder.get_updates_request(PollingRequest(self.polls))
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.handlers = Handlers(
            self.application.bot,
            dispatcher,
            storage,
            cooldown=Cooldown(chat.signal_cooldown_seconds),
        )
        from telegram import Update
        from telegram.ext import TypeHandler

        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.delivery_bot: Bot = Bot(self._token, base_url=settings.base_url)
        self._poster: TelegramPoster | None = None
        self._poster_lock = asyncio.Lock()
        self.serve_http = bool(self.webhook_url)  # False once the ops server mounts the route
        self.port, self.host = port, host
        self._server: web.AppRunner | None = None
        self._running = False
        self._stopped = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self.login_wait = 1.0  # seconds before the second getMe (tests: 0)

    # --- updates ----------------------------------------------------------------------------
    async def _on_update(self, update: Update, context: Any) -> None:
        await self.handlers.on_update(update)

    async def _webhook_update(self, data: dict[str, Any]) -> None:
        from telegram import Update

        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)

    def http_app(self) -> web.Application | None:
        """The webhook route for the ops server (None in polling mode)."""
        if not self.webhook_url:
            return None
        return webhook_app(webhook_path(self.webhook_url), self.secret, self._webhook_update)

    # --- lifecycle --------------------------------------------------------------------------
    async def run(self) -> None:
        """Log in (``getMe``), set the command menus, then poll or take webhook posts until
        stopped."""
        from telegram.error import TelegramError

        app = self.application
        if not await self._log_in():
            return  # stopped before Telegram answered
        self.handlers.username = app.bot.username or ""
        try:
            await sync_menus(app.bot)
        except TelegramError as exc:  # the commands still work when typed
            log.warning("telegram command menus could not be set: %s", exc)
        await app.start()
        if self.webhook_url:
            if self.serve_http:
                await self._serve_webhook()
            await app.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=list(ALLOWED_UPDATES)
            )
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=list(ALLOWED_UPDATES),
                error_callback=_quiet,  # self.polls logs once per outage, not per retry
            )
        self._running = True
        log.info(
            "telegram connected as @%s mode=%s",
            self.handlers.username,
            "webhook" if self.webhook_url else "polling",
        )
        await self._stopped.wait()

    async def _log_in(self) -> bool:
        """``getMe`` until Telegram answers (a network outage at start-up is waited out, the
        pause doubling up to :data:`MAX_LOGIN_WAIT`); False when stopped meanwhile."""
        from telegram.error import InvalidToken, NetworkError

        wait = self.login_wait
        while not self._stop_requested.is_set():
            try:
                await self.application.initialize()
                return True
            except InvalidToken:
                raise AdapterUnusable(
                    "Telegram rejected TELEGRAM_BOT_TOKEN (getMe: Unauthorized); copy the token "
                    "@BotFather gives (/token) into TELEGRAM_BOT_TOKEN"
                ) from None
            except NetworkError as exc:  # TimedOut too; a 5xx of Telegram's
                log.warning("telegram unreachable at start (%s); trying again in %.0f s", exc, wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_requested.wait(), wait)
            wait = min(max(wait * 2, 1.0), MAX_LOGIN_WAIT)
        return False

    async def _serve_webhook(self) -> None:
        routes = self.http_app()
        assert routes is not None
        self._server = web.AppRunner(routes, access_log=None, shutdown_timeout=2.0)
        await self._server.setup()
        await web.TCPSite(self._server, self.host, self.port).start()
        self.port = self._server.addresses[0][1]  # port 0: the one the OS picked

    async def health(self) -> dict[str, bool]:
        """Taking webhook posts and logged in; or polling, the last ``getUpdates`` having
        answered recently (:class:`~bot.adapters.telegram.polling.PollWatch`)."""
        app = self.application
        if self.webhook_url:
            return {"webhook": self._running and app.running}
        updater = app.updater
        running = self._running and updater is not None and updater.running
        return {"polling": running and self.polls.healthy()}

    async def stop(self) -> None:
        """Stop taking updates, let the replies in flight finish, close the connections."""
        app = self.application
        self._running = False
        self._stop_requested.set()
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()  # waits for the updates being handled
            await app.shutdown()
            if self._server is not None:
                await self._server.cleanup()
            if self._poster is not None:
                await self.delivery_bot.shutdown()
        finally:
            self._stopped.set()

    # --- deliveries -------------------------------------------------------------------------
    async def poster(self) -> TelegramPoster:
        """The delivery side's poster, over a bot of its own (logged in at first use)."""
        async with self._poster_lock:
            if self._poster is None:
                from bot.adapters.telegram.poster import TelegramPoster

                await self.delivery_bot.initialize()
                # the same move as the service messages' (one at a time, roles forgotten)
                on_migrate = self.handlers.moved

                self._poster = TelegramPoster(self.delivery_bot, on_migrate=on_migrate)
            return self._poster

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post a digest part or an alert (rendered by the Telegram channel) to a chat."""
        poster = await self.poster()
        on_post = self.handlers.on_post
        try:
            message_id = await poster.send_message(channel_id, payload, files, server_id=server_id)
        except Exception:
            if on_post is not None:
                on_post("delivery", "failed")
            raise
        if on_post is not None:
            on_post("delivery", "ok")
        return message_id


def _quiet(exc: BaseException) -> None:
    """python-telegram-bot's updater logs a traceback per failed ``getUpdates`` unless given
    this; the failure is logged once per outage by the adapter's
    :class:`~bot.adapters.telegram.polling.PollWatch`."""
