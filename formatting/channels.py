"""A channel named in a message: a link where the platform has one, else ``#name``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


@dataclass(frozen=True)
class ChannelRef:
    """A channel shown in a message: a link on Discord and Slack (``<#id>``), ``#id`` elsewhere."""

    platform: str
    channel_id: str

    def __str__(self) -> str:
        if self.platform in ("discord", "slack") and _SAFE_ID.fullmatch(self.channel_id):
            return f"<#{self.channel_id}>"
        return "#" + "".join(ch for ch in self.channel_id if ch.isalnum() or ch in "_-")[:80]
