"""The Discord permissions a digest post needs: one table for the adapter and ``doctor``.

The adapter checks them in discord.py's cache (:mod:`bot.adapters.discord.permissions`), doctor
over REST (:mod:`bot.ops.doctor_chat`); this module imports neither discord.py nor either of them.
"""

from __future__ import annotations

from typing import NamedTuple


class Permission(NamedTuple):
    """One permission: discord.py's flag, its bit in Discord's table, catalog key, English name."""

    flag: str
    bit: int
    key: str
    name: str


#: What a digest post needs, in the order messages list them.
NEEDED = (
    Permission("view_channel", 1 << 10, "discord.permission.view_channel", "View Channel"),
    Permission("send_messages", 1 << 11, "discord.permission.send_messages", "Send Messages"),
    Permission("embed_links", 1 << 14, "discord.permission.embed_links", "Embed Links"),
    Permission("attach_files", 1 << 15, "discord.permission.attach_files", "Attach Files"),
)
#: Administrator: every permission, whatever the overwrites say.
ADMINISTRATOR = 1 << 3
