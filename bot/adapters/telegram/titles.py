"""Chats named by their title in replies, not by their id.

Commands name a channel by its platform id (:class:`~formatting.channels.ChannelRef`), which on
Discord and Slack renders as a link (``<#id>``). Telegram has no such mention, and its ids
(``-100…``) mean nothing to a reader, so a reply about a group or channel names it by the
title Telegram gives (the message's chat, or ``getChat`` for a channel configured from a
private chat: https://core.telegram.org/bots/api#chat). The title becomes a plain text
parameter, which the reply escapes for Telegram's HTML like any user-provided text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.dispatch import Outcome
from formatting.channels import ChannelRef


def titled(outcome: Outcome, titles: Mapping[str, str]) -> Outcome:
    """``outcome`` with each channel parameter whose id has a title in ``titles`` named by it."""
    if not titles:
        return outcome
    reply = outcome.reply
    messages = tuple(
        replace(
            message,
            params={
                name: (titles.get(value.id, value) if isinstance(value, ChannelRef) else value)
                for name, value in message.params.items()
            },
        )
        for message in reply.messages
    )
    if messages == reply.messages:
        return outcome
    return replace(outcome, reply=replace(reply, messages=messages))
