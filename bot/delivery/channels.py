"""The channels the delivery layer knows, by platform name.

A new channel is one module with a class implementing :class:`bot.delivery.poster.Channel`
(next to its adapter, e.g. ``bot/adapters/discord/channel.py``) and one line in
:data:`BUILT_IN` (or a :func:`register` call); its poster (``send_message``, optionally
``find_posted``) carries the same ``platform``. Channels load on first use, so a platform's
libraries load only when it posts. A platform with no channel gets plain text. A platform
whose channel depends on the subscription (webhooks: each target's kind) also has an entry in
:data:`SCOPED`, asked with the subscription's ``server_id``.
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


def _webhooks() -> Channel:
    from bot.webhooks.kinds import AnyWebhook

    return AnyWebhook()


def _webhook(server_id: str) -> Channel:
    from bot.webhooks.kinds import channel_of

    return channel_of(server_id)


#: platform -> how to load its channel
BUILT_IN: dict[str, Callable[[], Channel]] = {
    "discord": _discord,
    "slack": _slack,
    "terminal": TextChannel,
    "webhook": _webhooks,
}
#: platform -> the channel of one of its subscriptions, by ``server_id``
SCOPED: dict[str, Callable[[str], Channel]] = {"webhook": _webhook}
_loaded: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    """Add (or replace) the channel of ``channel.capabilities.platform``."""
    _loaded[channel.capabilities.platform] = channel


def known(platform: str) -> bool:
    """Has ``platform`` a channel of its own (else it gets plain text)?"""
    return platform in _loaded or platform in BUILT_IN


def channel_for(platform: str, server_id: str | None = None) -> Channel:
    """The channel of ``platform`` (of its subscription in ``server_id`` when the platform's
    channel depends on it): its declaration and renderer."""
    scoped = SCOPED.get(platform)
    if scoped is not None and server_id is not None:
        return scoped(server_id)
    channel = _loaded.get(platform)
    if channel is None:
        load = BUILT_IN.get(platform)
        channel = load() if load is not None else TextChannel(platform)
        _loaded[platform] = channel
    return channel
