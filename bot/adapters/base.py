"""What every adapter provides to the runtime; the errors a poster raises (see
:mod:`bot.delivery.poster` for what a poster declares)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class AdapterUnusable(Exception):
    """The adapter cannot start as configured (a rejected token): the runtime says it in one
    line, with what to fix, and no traceback."""


class PostFailed(Exception):
    """Sending failed after the adapter's own bounded retries (rate limits already honoured)."""


class RecoveryUnavailable(Exception):
    """The platform cannot tell whether a message was posted (no history permission, errors)."""
