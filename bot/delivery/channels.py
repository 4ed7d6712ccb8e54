"""The channels the delivery layer knows, by platform name.

A new channel is one module with a class implementing :class:`bot.delivery.poster.Channel`
(next to its adapter, e.g. ``bot/adapters/discord/channel.py``) and one line in
:data:`BUILT_IN` (or a :func:`register` call); its poster (``send_message``, optionally
``find_posted``) carries the same ``platform``. Channels load on first use, so a platform's
libraries load only when it posts. A platform with no channel gets plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.poster import Channel
from bot.delivery.text import TextChannel


def _discord() -> Channel:
    from bot.adapters.discord.channel import DiscordChannel

    return DiscordChannel()


def _slack() -> Channel:
    from bot.adapters.slack.channel import SlackChannel

    return SlackChannel()


def _telegram() -> Channel:
    from bot.adapters.telegram.channel import TelegramChannel

    return TelegramChannel()


#: platform -> how to load its channel
BUILT_IN: dict[str, Callable[[], Channel]] = {
    "discord": _discord,
    "slack": _slack,
    "telegram": _telegram,
    "terminal": TextChannel,
}
_loaded: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    """Add (or replace) the channel of ``channel.capabilities.platform``."""
    _loaded[channel.capabilities.platform] = channel


def known(platform: str) -> bool:
    """Has ``platform`` a channel of its own (else it gets plain text)?"""
    return platform in _loaded or platform in BUILT_IN


def channel_for(platform: str) -> Channel:
    """The channel of ``platform``: its declaration and renderer."""
    channel = _loaded.get(platform)
    if channel is None:
        load = BUILT_IN.get(platform)
        channel = load() if load is not None else TextChannel(platform)
        _loaded[platform] = channel
    return channel
