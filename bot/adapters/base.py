"""What every adapter provides to the runtime and to the digest fan-out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


class Adapter(Protocol):
    """A chat surface run by the runtime: started, stopped, and asked whether it is connected."""

    name: str

    async def health(self) -> dict[str, bool]:
        """Readiness of each connection the adapter keeps, e.g. ``{"gateway": True}``.

        Cheap and local (no network call): ``/readyz`` asks it on every probe. An empty dict
        means nothing to report (ready).
        """
        ...

    async def run(self) -> None:
        """Serve until stopped; return when the surface is finished (e.g. end of input)."""
        ...

    async def stop(self) -> None:
        """Stop taking new work, let in-flight replies finish, release connections."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (chart or heatmap PNG)."""

    filename: str
    data: bytes
    description: str = ""


class ChannelGone(Exception):
    """The channel or server is gone, archived, or the bot lost access: disable, do not retry."""

    def __init__(self, channel_id: str, reason: str) -> None:
        super().__init__(f"channel {channel_id}: {reason}")
        self.channel_id = channel_id
        self.reason = reason


class PostingPaused(Exception):
    """An admin-fixable reason keeps the bot from posting here: pause, retry next session."""

    def __init__(self, channel_id: str, reason: str) -> None:
        super().__init__(f"channel {channel_id}: {reason}")
        self.channel_id = channel_id
        self.reason = reason


class PostFailed(Exception):
    """Sending failed after the adapter's own bounded retries (rate limits already honoured)."""


class Poster(Protocol):
    """Sends a ready-made platform payload to a channel; used by the digest fan-out.

    ``payload`` is exactly what the platform's renderer produced: a Discord message JSON body
    (``embeds``, ``allowed_mentions`` ...) or a Slack ``chat.postMessage`` body (``blocks``,
    ``text`` ...). The poster honours the platform's rate limits (Discord 429 ``retry_after``
    and the global limit; Slack ``Retry-After``), raises :class:`ChannelGone` for permanent
    channel errors and :class:`PostFailed` otherwise, and returns the new message's id.
    ``server_id`` is the subscription's server (Discord guild, Slack workspace): a poster serving
    several Slack workspaces picks that workspace's token with it.
    """

    platform: str

    async def send_message(
        self,
        channel_id: str,
        payload: dict[str, Any],
        files: Sequence[Attachment] = (),
        *,
        server_id: str | None = None,
    ) -> str:
        """Post ``payload`` (with ``files``) to ``channel_id``; return the message id."""
        ...


class RecoveryUnavailable(Exception):
    """The platform cannot tell whether a message was posted (no history permission, errors)."""


@runtime_checkable
class Recoverable(Protocol):
    """A poster that can look up its own earlier message by its marker (optional): digest
    parts and alerts carry one.

    ``find_posted`` returns the id of the message in ``channel_id`` carrying ``marker`` and
    created after ``since``, None when there is none, or raises :class:`RecoveryUnavailable`.
    """

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """The id of the earlier message with ``marker``, or None."""
        ...
