"""What a channel plugs into the delivery layer: its declaration, its renderer, its poster.

A channel (Discord, Slack, the terminal ...) is one :class:`Channel`: it *declares* what it can
do (:class:`Capabilities`) and renders its own payloads from platform-neutral messages (a digest
with its parts, a regime alert). Its :class:`Poster` sends such a payload and, when it can
(:class:`Recoverable`), finds a message it posted earlier by the key the payload carries. The
runtime asks for nothing else: no probing of attributes, no ``platform == ...`` outside a
channel's own module. Channels are registered by platform in :mod:`bot.delivery.channels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.adapters.base import Attachment

if TYPE_CHECKING:
    from formatting.alerts import RegimeChange
    from formatting.card import Language
    from formatting.colours import ColourScheme
    from formatting.digest import Digest

JSON = dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """How much one message may hold on the platform (0: the platform has no such thing)."""

    max_chars: int
    max_embeds: int = 0
    max_blocks: int = 0


@dataclass(frozen=True)
class Capabilities:
    """What a channel declares about itself.

    ``carries_images``: its digests carry the heatmap PNGs. ``finds_history``: its poster can
    find a message it posted earlier (by the key in the payload). ``idempotency_key``: the
    platform itself drops a second post with the same key (Discord's ``enforce_nonce``, for a
    few minutes). ``rate``: posts per second a fan-out sends at most (None: the poster honours
    the platform's ``Retry-After`` on its own). ``posts_blind``: the platform cannot be asked
    what was posted and a second post matters (webhooks): a retry logs that a duplicate is
    possible. ``concurrency``: deliveries in flight at once on the platform (None: the
    runner's own; webhooks, limited per target, serve many targets at once).
    """

    platform: str
    limits: Limits
    carries_images: bool = False
    finds_history: bool = False
    idempotency_key: bool = False
    rate: float | None = None
    posts_blind: bool = False
    concurrency: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message to send: the platform body, its files, and (replies) whether it is private."""

    payload: JSON = field(default_factory=dict)
    files: tuple[Attachment, ...] = ()
    ephemeral: bool = False

    @classmethod
    def message(
        cls,
        *,
        content: str | None = None,
        embeds: Sequence[JSON] = (),
        files: Sequence[Attachment] = (),
        ephemeral: bool = False,
    ) -> Outgoing:
        """A message of text and/or embeds (Discord replies)."""
        body: JSON = {}
        if content is not None:
            body["content"] = content
        if embeds:
            body["embeds"] = list(embeds)
        return cls(body, tuple(files), ephemeral)

    @property
    def content(self) -> str | None:
        """The message's text, if any."""
        value = self.payload.get("content")
        return None if value is None else str(value)

    @property
    def embeds(self) -> tuple[JSON, ...]:
        """The message's embeds (Discord), if any."""
        return tuple(self.payload.get("embeds") or ())


@dataclass(frozen=True)
class AlertMessage:
    """A platform-neutral regime alert: the changes of one channel on one session."""

    changes: Sequence[RegimeChange]
    session: date
    language: Language
    source: str
    key: str
    alert_ids: Sequence[int]


class Channel(Protocol):
    """One platform as the delivery layer sees it (one module per platform implements it)."""

    capabilities: Capabilities

    def render_digest(
        self,
        digest: Digest,
        language: Language,
        *,
        subscription_id: int,
        images: Sequence[Attachment] = (),
        colors: ColourScheme | None = None,
    ) -> list[Outgoing]:
        """Every part of one subscription's digest, each carrying its key; ``images`` (given
        only when the channel carries images) ride on the first part."""
        ...

    def render_alert(self, alert: AlertMessage) -> JSON:
        """The body of one grouped alert message, carrying ``alert.key``."""
        ...


@runtime_checkable
class Poster(Protocol):
    """Sends a ready-made platform payload to a channel.

    ``payload`` is exactly what the channel rendered. The poster honours the platform's rate
    limits, raises :class:`~bot.adapters.base.ChannelGone` for permanent channel errors,
    :class:`~bot.adapters.base.PostingPaused` for ones an admin can fix and
    :class:`~bot.adapters.base.PostFailed` otherwise, and returns the new message's id.
    ``server_id`` is the subscription's server (Discord guild, Slack workspace).
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


@runtime_checkable
class Recoverable(Protocol):
    """A poster that can look up its own earlier message by its marker.

    ``find_posted`` returns the id of the message in ``channel_id`` carrying ``marker`` and
    created after ``since``, None when there is none, or raises
    :class:`~bot.adapters.base.RecoveryUnavailable`.
    """

    async def find_posted(
        self, channel_id: str, marker: str, since: datetime, *, server_id: str | None = None
    ) -> str | None:
        """The id of the earlier message with ``marker``, or None."""
        ...
