"""What handlers return: a :class:`Reply`, or a :class:`UserError` carrying a message key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formatting.card import Card


@dataclass(frozen=True, kw_only=True)
class Message:
    """A user-visible sentence by catalog key, with its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A handler's answer: cards and/or messages; ``ephemeral`` for errors and settings."""

    cards: tuple[Card, ...] = ()
    messages: tuple[Message, ...] = ()
    ephemeral: bool = False


class UserError(Exception):
    """A failure the user caused or must know about; rendered from ``key`` in their language."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    @property
    def message(self) -> Message:
        """The error as a :class:`Message`."""
        return Message(key=self.key, params=self.params)
