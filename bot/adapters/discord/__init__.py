"""Discord adapter: slash commands, per-server language, embeds with charts, digest posting."""

from __future__ import annotations

from bot.adapters.discord.client import DiscordAdapter

__all__ = ["DiscordAdapter", "create_discord_adapter"]

#: The Discord adapter for its settings group (and the shared ``chat`` one): an Adapter
#: (run/stop) and a Poster ("discord"). ``defer_after`` (seconds before a slow command is
#: deferred) and ``clock`` (the cooldown's monotonic clock) are for tests and tuning.
create_discord_adapter = DiscordAdapter
