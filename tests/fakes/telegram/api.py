"""The fake Telegram Bot API on 127.0.0.1, reached by the real python-telegram-bot client.

python-telegram-bot calls ``{base_url}{token}/{method}`` (``base_url`` default
``https://api.telegram.org/bot``), so :attr:`FakeTelegram.base_url` is ``http://127.0.0.1:<port>/bot``
and the fake serves ``/bot<token>/<method>``. Parameters come as a form (multipart when a file
is attached), complex ones JSON-encoded ("Making requests",
https://core.telegram.org/bots/api#making-requests). Every answer is
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": n, "description": "...",
"parameters": {...}}`` (https://core.telegram.org/bots/api#responseparameters).

What it imitates, method by method:

- ``getMe``; a token other than :data:`BOT_TOKEN` is 401 ``Unauthorized``.
- ``getUpdates``: "An update is considered confirmed as soon as getUpdates is called with an
  offset higher than its update_id"; a negative offset returns the last ``-offset`` updates and
  forgets the earlier ones; ``timeout`` is a long poll (https://core.telegram.org/bots/api#getupdates).
  While a webhook is set it is 409 "Conflict: can't use getUpdates method while webhook is
  active; use deleteWebhook to delete the webhook first" (same page: "This method will not work
  if an outgoing webhook is set up").
- ``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo`` (https://core.telegram.org/bots/api#setwebhook):
  with ``secret_token``, every webhook request carries ``X-Telegram-Bot-Api-Secret-Token``
  (:meth:`FakeTelegram.push` sends the queued updates that way).
- ``setMyCommands`` / ``getMyCommands`` / ``deleteMyCommands`` by scope and
  ``language_code``: "A two-letter ISO 639-1 language code" (https://core.telegram.org/bots/api#setmycommands),
  so ``zh-hant`` is refused: 400 "Bad Request: invalid language code specified"; commands are
  1-32 characters of lowercase letters, digits and underscores, descriptions 1-256 characters
  (https://core.telegram.org/bots/api#botcommand).
- ``sendMessage`` / ``sendPhoto`` with ``parse_mode=HTML`` parsed as Telegram does
  (:mod:`.entities`); "Bad Request: message is too long" past 4,096 characters of text and
  "Bad Request: message caption is too long" past 1,024 of caption, both after entities parsing
  (https://core.telegram.org/bots/api#sendmessage, #sendphoto; tactilenews/100eyes#1594);
  "Bad Request: message text is empty".
- chats a post cannot reach: 400 "Bad Request: chat not found"; 403 "Forbidden: bot was blocked
  by the user" (private), "Forbidden: bot was kicked from the group chat" / "... supergroup
  chat" / "... channel chat" (tucnak/telebot#659, aiogram/aiogram#445); a group upgraded to a
  supergroup answers 400 "Bad Request: group chat was upgraded to a supergroup chat" with
  ``parameters.migrate_to_chat_id`` (TwiN/gatus#179) and sends the service messages with
  ``migrate_to_chat_id`` / ``migrate_from_chat_id`` (TelegramBots/Telegram.Bot#171).
- flood control: :meth:`FakeTelegram.flood` answers 429 "Too Many Requests: retry after N" with
  ``parameters.retry_after`` (tdlib/telegram-bot-api#184; the limits themselves are in
  https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
- ``getChatMember`` with the roles a test gives; ``getChat``; ``sendChatAction``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import ClientSession, web

from tests.fakes.gate import Gate, connections
from tests.fakes.telegram.chats import (
    BOT_TOKEN,
    DATE,
    Chat,
    bot_user,
    member_json,
)
from tests.fakes.telegram.entities import Parsed, ParseError, parse_html
from tests.fakes.telegram.records import (
    Call,
    Failure,
    Sent,
    TelegramError,
    chat_id_of,
    error_response,
    form_value,
)
from tests.fakes.telegram.updates import Updates

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
KICKED = {
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
    "channel": "Forbidden: bot was kicked from the channel chat",
}


class FakeTelegram(Updates):
    """The fake server; ``base_url`` is what ``TELEGRAM_API_BASE_URL`` should be."""

    def __init__(self) -> None:
        Updates.__init__(self)
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.failures: dict[str, list[Failure]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.gate: Gate | None = None  # sends wait here (see tests.fakes.gate)
        self._message_ids = itertools.count(1000)
        self.base_url = ""
        self.port = 0
        self._runner: web.AppRunner | None = None

    # --- scripting -------------------------------------------------------------------------
    def fail(self, method: str, status: int, description: str, *, times: int = 1,
             chat_id: int | None = None, **parameters: Any) -> None:  # fmt: skip
        """Answer the next ``times`` calls of ``method`` (``*`` any; only to ``chat_id`` if
        given) with ``status`` and ``description``."""
        failure = Failure(status, description, parameters, times, chat_id)
        self.failures.setdefault(method, []).append(failure)

    def flood(self, retry_after: int, *, method: str = "*", times: int = 1,
              chat_id: int | None = None) -> None:  # fmt: skip
        """429 with ``retry_after``, as Telegram's flood control answers."""
        self.fail(method, 429, f"Too Many Requests: retry after {retry_after}", times=times,
                  chat_id=chat_id, retry_after=retry_after)  # fmt: skip

    # --- inspection ------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        """Command names set for ``scope`` and ``language_code`` (empty: the default list)."""
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (checked after every request and injection)."""
        async with asyncio.timeout(seconds), self.changed:
            await self.changed.wait_for(predicate)

    @property
    def connections(self) -> int:
        return connections(self._runner)

    # --- server ----------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FakeTelegram:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        return self

    async def stop(self) -> None:
        await self.close_polls()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw = await request.read()
            if raw:
                params.update(json.loads(raw))
            return params
        form = await request.post()
        files: dict[str, bytes] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            else:  # text and captions stay as typed ("123" is a message, not a number)
                params[key] = str(value) if key in ("text", "caption") else form_value(str(value))
        for key, value in list(params.items()):  # ``attach://name`` names a multipart part
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = files.get(value.removeprefix("attach://"), b"")
        params.update(files)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        await self.record(Call(method, params))
        if request.match_info["token"] != BOT_TOKEN:
            return error_response(TelegramError(401, "Unauthorized"))
        try:
            result = await self._answer(method, params)
        except TelegramError as error:
            return error_response(error)
        finally:
            await self.notify()
        return web.json_response({"ok": True, "result": result})

    async def record(self, call: Call) -> None:
        async with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    def _scripted(self, method: str, params: dict[str, Any]) -> None:
        for key in (method, "*"):
            queue = self.failures.get(key, [])
            for failure in queue:
                if key == "*" and not method.startswith("send"):
                    continue
                if failure.chat_id is not None and chat_id_of(params) != failure.chat_id:
                    continue
                failure.times -= 1
                if failure.times <= 0:
                    queue.remove(failure)
                raise TelegramError(failure.status, failure.description, **failure.parameters)

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        self._scripted(method, params)
        if method == "getMe":
            return bot_user()
        if method == "getUpdates":
            if self.webhook["url"]:
                raise TelegramError(409, "Conflict: can't use getUpdates method while webhook "
                                    "is active; use deleteWebhook to delete the webhook first")  # fmt: skip
            return await self.poll(params)
        if method == "setWebhook":
            self.webhook = {"url": str(params.get("url", "")),
                            "secret_token": params.get("secret_token")}  # fmt: skip
            return True
        if method == "deleteWebhook":
            self.webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self.drop_pending()
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook["url"], "has_custom_certificate": False,
                    "pending_update_count": self.pending_count}  # fmt: skip
        if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
            return self._commands(method, params)
        if method == "getChatMember":
            chat = self._chat(params)
            user_id = int(params["user_id"])
            status = chat.bot_status if user_id == bot_user()["id"] else chat.members.get(
                user_id, "left")  # fmt: skip
            user = self.users.get(user_id) or bot_user()
            return member_json(user, status)
        if method == "getChat":
            return self._chat(params).full_info()
        if method == "sendChatAction":
            self._reachable(self._chat(params))
            return True
        if method in ("sendMessage", "sendPhoto"):
            return await self._send(method, params)
        raise TelegramError(404, "Not Found")

    def _commands(self, method: str, params: dict[str, Any]) -> Any:
        language = str(params.get("language_code") or "")
        if language and not (len(language) == 2 and language.isalpha() and language.islower()):
            raise TelegramError(400, "Bad Request: invalid language code specified")
        scope_param = params.get("scope") or {"type": "default"}
        scope = scope_param["type"] if isinstance(scope_param, dict) else str(scope_param)
        key = (scope, language)
        if method == "getMyCommands":
            return self.commands.get(key, [])
        if method == "deleteMyCommands":
            self.commands.pop(key, None)
            return True
        commands = params.get("commands") or []
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if (
                not (1 <= len(name) <= 32)
                or not all(c.islower() or c.isdigit() or c == "_" for c in name)
                or not name.isascii()
            ):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        if len(commands) > 100:
            raise TelegramError(400, "Bad Request: too many commands specified")
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _chat(self, params: dict[str, Any]) -> Chat:
        chat_id = params.get("chat_id")
        chat: Chat | None = None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = next((c for c in self.chats.values() if c.username == chat_id[1:]), None)
        elif chat_id is not None:
            chat = self.chats.get(int(chat_id))
        if chat is None:
            raise TelegramError(400, "Bad Request: chat not found")
        return chat

    def _reachable(self, chat: Chat) -> None:
        if chat.migrated_to is not None:
            raise TelegramError(400, MIGRATED, migrate_to_chat_id=chat.migrated_to)
        if chat.type == "private" and chat.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private" and chat.bot_status in ("left", "kicked"):
            raise TelegramError(403, KICKED[chat.type])
        if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
            raise TelegramError(400, "Bad Request: need administrator rights in the channel chat")

    async def _send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        self._reachable(chat)
        key = "caption" if method == "sendPhoto" else "text"
        html = str(params.get(key) or "")
        try:
            parsed = parse_html(html) if str(params.get("parse_mode", "")).upper() == "HTML" \
                else Parsed(html)  # fmt: skip
        except ParseError as error:
            raise TelegramError(400, str(error)) from None
        if method == "sendMessage" and not parsed.text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        if method == "sendMessage" and parsed.length > TEXT_LIMIT:
            raise TelegramError(400, "Bad Request: message is too long")
        if method == "sendPhoto" and parsed.length > CAPTION_LIMIT:
            raise TelegramError(400, "Bad Request: message caption is too long")
        photo = params.get("photo") if method == "sendPhoto" else None
        if method == "sendPhoto" and not isinstance(photo, bytes | str):
            raise TelegramError(400, "Bad Request: there is no photo in the request")
        gate = self.gate
        if gate is not None and gate.where == "store" and not await gate.wait():
            raise TelegramError(500, "Internal Server Error: sender gone")
        sent = Sent(next(self._message_ids), chat.id, method, html, parsed, params,
                    photo if isinstance(photo, bytes) else None)  # fmt: skip
        async with self.changed:
            self.sent.append(sent)
            self.changed.notify_all()
        if gate is not None and gate.where == "answer":
            await gate.wait()
        message: dict[str, Any] = {"message_id": sent.message_id, "date": DATE,
                                   "chat": chat.as_json(), "from": bot_user()}  # fmt: skip
        if method == "sendPhoto":
            message["photo"] = [{"file_id": f"photo{sent.message_id}", "width": 1200,
                                 "file_unique_id": f"u{sent.message_id}", "height": 800}]  # fmt: skip
            if parsed.text:
                message["caption"] = parsed.text
                message["caption_entities"] = parsed.entities
        else:
            message["text"] = parsed.text
            if parsed.entities:
                message["entities"] = parsed.entities
        return message

    async def push(self, url: str | None = None, secret: str | None = None) -> list[int]:
        """Deliver the queued updates to the webhook as Telegram does, one POST each with the
        ``X-Telegram-Bot-Api-Secret-Token`` header of ``setWebhook`` (or ``secret``); returns
        the HTTP statuses. Updates answered 200 are confirmed."""
        target = url or self.webhook["url"]
        token = secret if secret is not None else self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        statuses: list[int] = []
        async with ClientSession() as session:
            for update in self.pending():
                async with session.post(target, json=update, headers=headers) as response:
                    statuses.append(response.status)
                    if response.status == 200:
                        self.confirm(int(update["update_id"]) + 1)
        return statuses
