"""One slash-command interaction, start to finish: admit, run, answer within 3 s, explain errors.

A command runs as a task; when it (with its chart) is ready within ``defer_after`` seconds the
interaction is answered directly (callback type 4), otherwise it is deferred with a "thinking"
state (type 5) and the reply follows as webhook follow-ups. Discord shows the first follow-up
in place of the thinking message with the defer's visibility, so when the reply's visibility
differs from the guess the thinking message is deleted first.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import discord
from discord import app_commands

from bot.adapters.base import Attachment
from bot.adapters.discord.cooldown import Cooldown
from bot.adapters.discord.errors import MissingManageServer, OnCooldown, Restarting, explain
from bot.adapters.discord.render import Outgoing, chunks, message_lines, outgoing
from bot.dispatch import Dispatcher, Outcome
from formatting.card import languages
from formatting.languages import for_traditional_reader

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Seconds a command may take before the interaction is deferred (Discord allows 3).
DEFER_AFTER = 1.5
#: Longest wait for the server's language before an error reply uses the default.
LANGUAGE_LOOKUP_LIMIT = 1.0
#: Cards one /signal may post in a channel (each is an embed with a chart).
MAX_CARDS = 5
_DEFERRED_PUBLIC = "signalbot_deferred_public"

Interaction = discord.Interaction[discord.Client]


@dataclass(frozen=True)
class Place:
    """Who asked, where: the platform-neutral ids the dispatcher takes."""

    server_id: str
    channel_id: str | None
    user_id: str
    is_admin: bool


def place_of(interaction: Interaction) -> Place:
    """Server (``dm:<user>`` outside servers), channel, user, and Manage Server rights."""
    user_id = str(interaction.user.id)
    channel_id = str(interaction.channel_id) if interaction.channel_id else None
    if interaction.guild_id is None:  # a DM with the bot: the user owns its settings
        return Place(f"dm:{user_id}", channel_id, user_id, True)
    is_admin = interaction.permissions.manage_guild
    return Place(str(interaction.guild_id), channel_id, user_id, is_admin)


def reads_traditional(interaction: Interaction) -> bool:
    """The user's Discord client is in Traditional Chinese (zh-TW): ephemeral replies use it."""
    return interaction.locale is discord.Locale.taiwan_chinese


def send_kwargs(message: Outgoing) -> dict[str, Any]:
    """Keyword arguments of ``send_message`` / ``followup.send`` for ``message``."""
    kwargs: dict[str, Any] = {
        "ephemeral": message.ephemeral,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = [discord.Embed.from_dict(e) for e in message.embeds]
    if message.files:
        kwargs["files"] = [_file(a) for a in message.files]
    return kwargs


def _file(attachment: Attachment) -> discord.File:
    return discord.File(
        io.BytesIO(attachment.data),
        filename=attachment.filename,
        description=attachment.description or None,
    )


class InteractionHandler:
    """Runs commands for the command tree and answers every interaction exactly once."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        cooldown: Cooldown,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.dispatcher = dispatcher
        self.cooldown = cooldown
        self.defer_after = defer_after
        self.stopping = False
        self._inflight: set[asyncio.Task[Any]] = set()

    # -- admission, checks ------------------------------------------------------------------

    def admit(self, interaction: Interaction) -> bool:
        """Track the interaction's task (stop() waits for it); refuse commands while stopping."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        if self.stopping and interaction.type is discord.InteractionType.application_command:
            raise Restarting()
        return True

    def manage_server(self, interaction: Interaction) -> bool:
        """Check: the member has Manage Server here (always true in a DM)."""
        if not place_of(interaction).is_admin:
            raise MissingManageServer()
        return True

    def signal_cooldown(self, interaction: Interaction) -> bool:
        """Check: the member's /signal cooldown has run out; starts a new one."""
        key = str(interaction.user.id)
        left = self.cooldown.retry_after(key)
        if left > 0:
            raise OnCooldown(Cooldown.shown_seconds(left))
        self.cooldown.charge(key)
        return True

    async def drain(self, wait_at_most: float) -> None:
        """Stop admitting commands and wait up to ``wait_at_most`` s for the ones in flight."""
        self.stopping = True
        current = asyncio.current_task()
        pending = {t for t in self._inflight if t is not current and not t.done()}
        if pending:
            log.info("waiting for %d interaction(s) in flight", len(pending))
            _, late = await asyncio.wait(pending, timeout=wait_at_most)
            if late:
                log.warning("%d interaction(s) still running at shutdown", len(late))

    # -- commands -----------------------------------------------------------------------------

    async def run(
        self, interaction: Interaction, command: str, args: dict[str, str], *, public: bool
    ) -> None:
        """Run ``command`` and answer; ``public`` guesses the reply's visibility for a defer."""
        began = time.perf_counter()
        place = place_of(interaction)
        prepare = asyncio.create_task(
            self._prepare(command, args, place, traditional=reads_traditional(interaction))
        )
        try:
            done, _ = await asyncio.wait({prepare}, timeout=self.defer_after)
            if not done:
                await interaction.response.defer(thinking=True, ephemeral=not public)
                interaction.extras[_DEFERRED_PUBLIC] = public
            outcome, messages = await prepare
        finally:
            prepare.cancel()  # no-op once finished; else stops orphaned work
        await self.send(interaction, messages)
        if command == "signal" and outcome.fetched_nothing:
            self.cooldown.refund(place.user_id)
        log.info(
            "discord interaction=%s command=%s deferred=%s answered_ms=%.0f",
            interaction.id,
            command,
            not done,
            (time.perf_counter() - began) * 1000,
        )

    async def _prepare(
        self, command: str, args: dict[str, str], place: Place, *, traditional: bool = False
    ) -> tuple[Outcome, list[Outgoing]]:
        outcome = await self.dispatcher.run(
            command,
            args,
            platform=PLATFORM,
            server_id=place.server_id,
            channel_id=place.channel_id,
            user_id=place.user_id,
            is_admin=place.is_admin,
            max_tickers=MAX_CARDS,
        )
        if traditional and outcome.reply.ephemeral:  # only this user sees it: their script
            outcome = replace(outcome, language=for_traditional_reader(outcome.language))
        return outcome, await outgoing(outcome)

    async def send(self, interaction: Interaction, messages: list[Outgoing]) -> None:
        """Answer with ``messages``: the first as the response, the rest as follow-ups."""
        if not messages:
            raise RuntimeError("the command produced an empty reply")
        first, *rest = messages
        if not interaction.response.is_done():
            await interaction.response.send_message(**send_kwargs(first))
        else:
            deferred_public = interaction.extras.pop(_DEFERRED_PUBLIC, None)
            if deferred_public is not None and deferred_public == first.ephemeral:
                await interaction.delete_original_response()  # wrong visibility: start afresh
            await interaction.followup.send(**send_kwargs(first))
        for message in rest:
            await interaction.followup.send(**send_kwargs(message))

    # -- errors -------------------------------------------------------------------------------

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        """The tree's one error handler: an ephemeral, specific message in the server's language."""
        command = interaction.command.qualified_name if interaction.command else None
        explained = explain(error, command=command)
        log.info(
            "discord interaction=%s command=%s refused=%s",
            interaction.id,
            command,
            explained.message.key,
        )
        if interaction.type is not discord.InteractionType.application_command:
            return
        place = place_of(interaction)
        try:  # bounded: the first response must reach Discord within its 3-second window
            lang = await asyncio.wait_for(
                self.dispatcher.language_for(PLATFORM, place.server_id), LANGUAGE_LOOKUP_LIMIT
            )
        except Exception:
            log.exception("language lookup failed or slow server=%s", place.server_id)
            lang = self.dispatcher.services.default_language
        if reads_traditional(interaction):
            lang = for_traditional_reader(lang)
        texts = chunks(message_lines([explained.message], lg) for lg in languages(lang))
        try:
            await self.send(interaction, [Outgoing(content=c, ephemeral=True) for c in texts])
        except discord.HTTPException as exc:
            log.warning("could not send the error reply interaction=%s: %s", interaction.id, exc)
