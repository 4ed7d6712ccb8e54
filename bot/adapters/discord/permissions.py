"""Can the bot post a digest in a channel? Computed from the cached guild's roles and overwrites.

The guilds intent delivers every guild's roles, channels (with permission overwrites) and the
bot's own member at start-up, so discord.py's ``channel.permissions_for(guild.me)`` applies
Discord's algorithm (base role permissions, Administrator, then @everyone / role / member
overwrites) without any REST call. A guild or channel this process does not have in its cache
(another process's shard, a user-installed context) is "unknown", never a refusal.
"""

from __future__ import annotations

import discord

from bot.adapters.discord.errors import Refused
from bot.discord_permissions import NEEDED
from commands.reply import Message
from formatting.i18n import ChannelRef, Term

#: What a digest post needs: (discord.py permission flag, catalog key of its name, English name).
REQUIRED = tuple((p.flag, p.key, p.name) for p in NEEDED)


def missing_permissions(guild: discord.Guild | None, channel_id: int) -> list[str] | None:
    """The flags of :data:`REQUIRED` the bot lacks in the channel; None when not in the cache."""
    if guild is None:
        return None
    channel = guild.get_channel(channel_id)
    me = guild.me
    if channel is None or me is None:
        return None
    allowed = channel.permissions_for(me)
    return [flag for flag, _key, _name in REQUIRED if not getattr(allowed, flag)]


def english_names(flags: list[str]) -> str:
    """``Send Messages, Embed Links`` for the log and the stored pause reason."""
    names = {flag: name for flag, _key, name in REQUIRED}
    return ", ".join(names[f] for f in flags)


class CannotPost(Refused):
    """/digest schedule for a channel the bot cannot post in: what to grant, one line each."""

    def __init__(self, channel_id: int, flags: list[str]) -> None:
        super().__init__("discord.error.cannot_post", channel=ChannelRef(str(channel_id)))
        keys = {flag: key for flag, key, _name in REQUIRED}
        self.extra = tuple(
            Message(
                key="discord.error.missing_channel_permission", params={"permission": Term(keys[f])}
            )
            for f in flags
        )
