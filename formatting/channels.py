"""A channel named in a message: a link where the platform has one, else ``#name``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


@dataclass(frozen=True)
class ChannelRef:
    """A message parameter naming a channel by its platform id.

    Without ``platform`` each renderer shows its own mention (see :mod:`formatting.messages`);
    with it the channel reads the same everywhere: a link on Discord and Slack (``<#id>``),
    ``#id`` elsewhere (``str()``).
    """

    id: str
    platform: str | None = None

    def __str__(self) -> str:
        if self.platform in ("discord", "slack") and _SAFE_ID.fullmatch(self.id):
            return f"<#{self.id}>"
        return "#" + "".join(ch for ch in self.id if ch.isalnum() or ch in "_-")[:80]
