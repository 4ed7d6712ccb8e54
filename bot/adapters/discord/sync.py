"""Command sync at start-up, only when the command definitions changed.

The fingerprint is a SHA-256 of the exact JSON discord.py would upload (translations included),
the application id and the scope (global, or the ``DISCORD_GUILD_IDS`` used in development); it
is kept in the app-state table, so a restart with unchanged commands makes no sync call.

Changing the scope removes the other scope's commands (else the client shows each command
twice): a guild sync empties the global commands, a global sync empties the guilds synced last
time (kept under :data:`SCOPE_KEY`), and guilds dropped from ``DISCORD_GUILD_IDS`` are emptied.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.storage import Storage

log = logging.getLogger(__name__)

STATE_KEY = "discord.commands.sha256"
#: JSON list of the guild ids the last sync went to ([]: global).
SCOPE_KEY = "discord.commands.guilds"


async def command_payload(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """The global commands as the JSON Discord receives (translated when a translator is set)."""
    translator = tree.translator
    out = []
    for command in tree.get_commands():
        if translator is not None:
            out.append(await command.get_translated_payload(tree, translator))
        else:
            out.append(command.to_dict(tree))
    return out


def fingerprint(
    payload: list[dict[str, Any]], *, application_id: int | None, guild_ids: Sequence[int]
) -> str:
    """A stable hash of what a sync would send, where, for which application."""
    scope = {"application_id": application_id, "guilds": sorted(guild_ids), "commands": payload}
    text = json.dumps(scope, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    storage: Storage,
    *,
    application_id: int | None,
    guild_ids: Sequence[int] = (),
) -> bool:
    """Sync the tree (globally, or to each of ``guild_ids``) unless nothing changed; True if synced.

    A failed sync is logged and the bot keeps running with the definitions Discord has.
    """
    payload = await command_payload(tree)
    digest = fingerprint(payload, application_id=application_id, guild_ids=guild_ids)
    if await storage.get_state(STATE_KEY) == digest:
        log.info("discord commands unchanged (sha256 %s); sync skipped", digest[:12])
        return False
    previous = _guilds(await storage.get_state(SCOPE_KEY))
    try:
        if guild_ids:
            for guild_id in guild_ids:
                guild = discord.Object(id=guild_id)
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
                log.info("discord commands synced guild=%s count=%d", guild_id, len(synced))
        else:
            synced = await tree.sync()
            log.info("discord commands synced globally count=%d", len(synced))
        await _clear_other_scope(tree, application_id, guild_ids, previous)
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError):
        # a network blip must not take the adapter down; the hash is not stored, so the next
        # start tries again
        log.exception("discord command sync failed; keeping the definitions Discord has")
        return False
    await storage.set_state(SCOPE_KEY, json.dumps(sorted(guild_ids)))
    await storage.set_state(STATE_KEY, digest)
    return True


def _guilds(stored: str | None) -> list[int]:
    try:
        value = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [int(g) for g in value if isinstance(g, int)] if isinstance(value, list) else []


async def _clear_other_scope(
    tree: app_commands.CommandTree[Any],
    application_id: int | None,
    guild_ids: Sequence[int],
    previous: Sequence[int],
) -> None:
    """Empty the commands of the scope(s) not synced now (see the module docstring)."""
    if application_id is None:
        return
    http = tree.client.http
    if guild_ids:
        await http.bulk_upsert_global_commands(application_id, [])
        log.info("discord global commands removed (commands are synced to guilds)")
    for guild_id in sorted(set(previous) - set(guild_ids)):
        await http.bulk_upsert_guild_commands(application_id, guild_id, [])
        log.info("discord commands removed from guild=%s (no longer in scope)", guild_id)
