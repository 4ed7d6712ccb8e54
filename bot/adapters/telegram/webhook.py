"""Webhook mode: Telegram posts each update to ``TELEGRAM_WEBHOOK_URL``, served on the ops port.

"If you'd like to make sure that the webhook was set by you, you can specify secret data in the
parameter secret_token. If specified, the request will contain a header
``X-Telegram-Bot-Api-Secret-Token`` with the secret token as content"
(https://core.telegram.org/bots/api#setwebhook). A request without the secret is refused with
403 and never reaches the bot; the secret is ``TELEGRAM_WEBHOOK_SECRET``, or one derived from
the bot token (the same across restarts and replicas, and not the token itself).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
DEFAULT_PATH = "/telegram/webhook"
#: Updates the bot asks for (https://core.telegram.org/bots/api#update), polling or webhook.
ALLOWED_UPDATES = ("message", "channel_post", "my_chat_member")

OnUpdate = Callable[[dict[str, Any]], Awaitable[None]]


def webhook_path(url: str) -> str:
    """The path of ``TELEGRAM_WEBHOOK_URL`` the ops server answers (a proxy forwards it)."""
    return urlsplit(url).path or DEFAULT_PATH


def derived_secret(token: str) -> str:
    """A secret for the header made from the bot token: hex, so within Telegram's alphabet."""
    return hashlib.sha256(f"signalbot telegram webhook {token}".encode()).hexdigest()


def webhook_app(path: str, secret: str, on_update: OnUpdate) -> web.Application:
    """``POST path``: the secret header checked in constant time, then the update handed on."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("telegram webhook refused: wrong or missing %s", SECRET_HEADER)
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not json")
        if not isinstance(data, dict):
            return web.Response(status=400, text="not an update")
        await on_update(data)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(path, receive)
    return app
