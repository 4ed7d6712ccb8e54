"""Catalog messages (a key and its parameters) rendered for text, Discord and Slack.

Takes ``key`` and ``params`` rather than ``commands.reply.Message`` (formatting must not import
commands). Parameter values are localised per language: :class:`~formatting.i18n.Term` is
translated, ``date`` becomes a long date, a :class:`ChannelRef` becomes the platform's channel
mention (``<#id>`` on Discord and Slack, the bare id in text), text from users is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from formatting.card import Language, languages
from formatting.embeds import MAX_CONTENT, clip, escape, no_mentions
from formatting.i18n import ChannelRef, Term, t, text
from formatting.numbers import long_date

JSON = dict[str, Any]
#: Discord message flag that shows a reply only to the user who asked.
EPHEMERAL_FLAG = 64


def _identity(text: str) -> str:
    return text


def _text_channel(channel_id: str) -> str:
    return channel_id


def _mention(channel_id: str) -> str:
    """``<#id>`` for a well-formed id (Discord snowflake, Slack C/G id), else the id escaped."""
    if channel_id.isascii() and channel_id.isalnum():
        return f"<#{channel_id}>"
    return "#" + escape(channel_id)


def _render(
    key: str,
    params: Mapping[str, Any],
    lang: Language,
    *,
    user: Callable[[str], str] = _identity,
    trusted: Callable[[str], str] = _identity,
    channel: Callable[[str], str] = _text_channel,
) -> str:
    """``key`` in each language shown; ``user`` escapes str params, ``trusted`` catalog text."""
    lines = []
    for lg in languages(lang):
        values: dict[str, Any] = {}
        for name, value in params.items():
            if isinstance(value, Term):
                values[name] = trusted(t(value.key, lg))
            elif isinstance(value, ChannelRef):
                values[name] = channel(value.id) if value.platform is None else str(value)
            elif isinstance(value, date) and not isinstance(value, datetime):
                values[name] = long_date(value, lg)
            elif isinstance(value, str):
                values[name] = user(value)
            else:
                values[name] = value
        lines.append(trusted(text(key, lg)).format_map(values))
    return "\n".join(lines)


def message_text(key: str, params: Mapping[str, Any], lang: Language) -> str:
    """The message as plain text; for ``both`` the English line, then the Chinese line."""
    return _render(key, params, lang)


def message_to_discord(
    key: str, params: Mapping[str, Any], lang: Language, *, ephemeral: bool
) -> JSON:
    """A Discord message (or interaction response data) body; pings nobody."""
    body: JSON = {
        "content": clip(_render(key, params, lang, user=escape, channel=_mention), MAX_CONTENT),
        "allowed_mentions": no_mentions(),
    }
    if ephemeral:
        body["flags"] = EPHEMERAL_FLAG
    return body


def message_to_slack(
    key: str, params: Mapping[str, Any], lang: Language, *, ephemeral: bool
) -> JSON:
    """A Slack response body (``response_url`` / ``respond``): mrkdwn-safe text."""
    # imported here: formatting.blocks loads slack_sdk, which Discord and the terminal never need
    from formatting.blocks import MAX_FALLBACK_TEXT, escape_mrkdwn, escape_text
    from formatting.blocks import clip as slack_clip

    text = _render(key, params, lang, user=escape_mrkdwn, trusted=escape_text, channel=_mention)
    return {
        "text": slack_clip(text, MAX_FALLBACK_TEXT),
        "response_type": "ephemeral" if ephemeral else "in_channel",
    }
