"""What the fake Telegram keeps and answers: the calls it received, the messages the bot sent,
scripted failures, and the error body of the Bot API (https://core.telegram.org/bots/api#making-requests:
``{"ok": false, "error_code": n, "description": "...", "parameters": {...}}``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.telegram.entities import Parsed


@dataclass
class Call:
    """One request the fake received: the method and its parameters (files as bytes)."""

    method: str
    params: dict[str, Any]


@dataclass
class Sent:
    """A message the bot posted: where, which method, what it said (markup and parsed)."""

    message_id: int
    chat_id: int
    method: str  # sendMessage or sendPhoto
    html: str  # text or caption as sent
    parsed: Parsed
    params: dict[str, Any]
    photo: bytes | None = None

    @property
    def text(self) -> str:
        """What the reader sees (tags gone, entities decoded)."""
        return self.parsed.text


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls of a method (or any send to a chat)."""

    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    times: int = 1
    chat_id: int | None = None


class TelegramError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def form_value(raw: str) -> Any:
    """Form values: python-telegram-bot JSON-encodes everything that is not a string."""
    if raw[:1] in ("[", "{") or raw in ("true", "false", "null"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def chat_id_of(params: dict[str, Any]) -> int | None:
    value = str(params.get("chat_id"))
    return int(value) if value.lstrip("-").isdigit() else None


def error_response(error: TelegramError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.status,
                            "description": error.description}  # fmt: skip
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status)
