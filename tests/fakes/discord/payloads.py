"""What the fake Discord says, as Discord says it: ids and permission bits of the fake guild,
JSON error bodies, and the objects it sends (users, messages, interactions, channels,
GUILD_CREATE) for the REST answers, the gateway and the tests that push interactions."""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web

API_PREFIX = "/api/v10"
APPLICATION_ID = 900000000000000001
BOT_USER_ID = 900000000000000002
GUILD_ID = 800000000000000001
#: A guild on the other shard of a two-shard bot: (GUILD_ID >> 22) % 2 != (GUILD_ID_2 >> 22) % 2.
GUILD_ID_2 = GUILD_ID + (1 << 22)
CHANNEL_ID = 700000000000000001
ADMIN_ID = 600000000000000001
MEMBER_ID = 600000000000000002
#: Permission bits: view channel, send messages, use application commands; Manage Server.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)
MANAGE_GUILD = 1 << 5
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEND_MESSAGES = 1 << 11
#: @everyone in the fake guild: view channel, send messages, embed links, attach files, commands.
EVERYONE_PERMISSIONS = (1 << 10) | SEND_MESSAGES | (1 << 14) | (1 << 15) | (1 << 31)
BOT_ROLE_ID = 800000000000000099
#: #quiet denies Send Messages to @everyone.
QUIET_CHANNEL_ID = 700000000000000003

_ids = itertools.count(500000000000000001)

# JSON error bodies as Discord sends them (codes from Discord's "Opcodes and Status Codes",
# https://discord.com/developers/docs/topics/opcodes-and-status-codes#json; an interaction must
# get its one initial response within 3 s and its token takes follow-ups for 15 min, see
# https://discord.com/developers/docs/interactions/receiving-and-responding).
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}  # HTTP 404
ALREADY_ACKNOWLEDGED = {"message": "Interaction has already been acknowledged.", "code": 40060}
INVALID_WEBHOOK_TOKEN = {"message": "Invalid Webhook Token", "code": 50027}  # HTTP 401
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}  # HTTP 403


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with exactly ``application/json`` (what discord.py checks for)."""
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "public_flags": 0,
        "bot": bot,
    }


def message(
    channel_id: str,
    body: Any,
    *,
    message_id: str | None = None,
    author_id: int | str = BOT_USER_ID,
) -> dict[str, Any]:
    """The message object Discord answers a create with (and lists in a channel's history)."""
    body = body if isinstance(body, dict) else {}
    out = {
        "id": message_id or str(next(_ids)),
        "channel_id": channel_id,
        "type": 0,
        "content": body.get("content") or "",
        "author": user(int(author_id), "signalbot", bot=True),
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-06-08T21:00:00+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags", 0),
        "components": [],
    }
    if body.get("nonce") is not None:
        out["nonce"] = body["nonce"]
    return out


def ready(guild_ids: list[int], shard: int, count: int, gateway_url: str) -> dict[str, Any]:
    """The READY event of one shard."""
    return {
        "v": 10,
        "user": user(BOT_USER_ID, "signalbot", bot=True),
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": f"fake-session-{next(_ids)}",
        "resume_gateway_url": gateway_url,
        "application": {"id": str(APPLICATION_ID), "flags": 0},
        "shard": [shard, count],
    }


def application(guild_count: int) -> dict[str, Any]:
    """``GET /oauth2/applications/@me``."""
    return {
        "id": str(APPLICATION_ID),
        "name": "signalbot",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user(ADMIN_ID, "owner"),
        "verify_key": "0" * 64,
        "flags": 0,
        "approximate_guild_count": guild_count,
    }


def command(payload: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
    """A synced application command as Discord echoes it back, with its ids."""
    out = {
        **payload,
        "id": str(next(_ids)),
        "application_id": str(APPLICATION_ID),
        "version": "1",
    }
    if guild_id:
        out["guild_id"] = guild_id
    return out


# --- interaction payloads, as Discord's gateway sends them -----------------------------------


def option(name: str, value: Any, kind: int = 3, *, focused: bool = False) -> dict[str, Any]:
    """A command option (3 string, 7 channel ...); ``focused`` for autocomplete."""
    out: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        out["focused"] = True
    return out


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    """A subcommand option carrying its own options."""
    return {"name": name, "type": 1, "options": list(options)}


def channel_resolved(channel_id: int, kind: int = 0) -> dict[str, Any]:
    """``data.resolved`` for a channel option (0 text, 2 voice, 5 announcement)."""
    return {
        "channels": {
            str(channel_id): {
                "id": str(channel_id),
                "name": "market-news",
                "type": kind,
                "permissions": str(ADMIN_PERMISSIONS),
                "parent_id": None,
            }
        }
    }


def interaction(
    name: str,
    *options: dict[str, Any],
    kind: int = 2,
    user_id: int = MEMBER_ID,
    permissions: int = MEMBER_PERMISSIONS,
    guild_id: int | None = GUILD_ID,
    locale: str = "en-US",
    resolved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: type 2 (command) or 4 (autocomplete); DM when no guild."""
    interaction_id = next(_ids)
    data: dict[str, Any] = {
        "id": str(next(_ids)),
        "name": name,
        "type": 1,
        "options": list(options),
    }
    if resolved:
        data["resolved"] = resolved
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "data": data,
        "locale": locale,
        "app_permissions": str(ADMIN_PERMISSIONS),
        "attachment_size_limit": 10 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id or user_id)},
    }
    person = user(user_id, f"user{user_id % 100}")
    if guild_id is None:
        payload["context"] = 1
        payload["channel_id"] = str(CHANNEL_ID + 1)
        payload["channel"] = {"id": str(CHANNEL_ID + 1), "type": 1, "recipients": [person]}
        payload["user"] = person
    else:
        payload["context"] = 0
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
        payload["channel_id"] = str(CHANNEL_ID)
        payload["channel"] = text_channel(guild_id)
        payload["member"] = {
            "user": person,
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "permissions": str(permissions),
        }
    return payload


def text_channel(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """The #general text channel as Discord describes it."""
    return {
        "id": str(CHANNEL_ID),
        "type": 0,
        "guild_id": str(guild_id),
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def _role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "hoist": False,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def muted_channel(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """#quiet: @everyone (so the bot too) is denied Send Messages by a channel overwrite."""
    return {
        **text_channel(guild_id),
        "id": str(QUIET_CHANNEL_ID),
        "name": "quiet",
        "position": 1,
        # overwrite type 0 = role; the @everyone role's id is the guild id (Discord docs,
        # "Permissions": permission overwrites, and "Role Object")
        "permission_overwrites": [
            {"id": str(guild_id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
        ],
    }


def guild_create(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """A GUILD_CREATE payload as the guilds intent delivers it at start-up: roles (@everyone
    can view, send, embed, attach), #general and #quiet, and the bot's own member (Discord
    always includes the current user's member)."""
    bot_member = {
        "user": user(BOT_USER_ID, "signalbot", bot=True),
        "roles": [str(BOT_ROLE_ID)],
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
    }
    return {
        "id": str(guild_id),
        "name": "Market club",
        "icon": None,
        "owner_id": str(ADMIN_ID),
        "roles": [
            _role(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            _role(BOT_ROLE_ID, "signalbot", 0, 1),
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": [text_channel(guild_id), muted_channel(guild_id)],
        "threads": [],
        "members": [bot_member],
        "voice_states": [],
        "presences": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }
