"""One slash-command interaction, start to finish: admit, run, answer within 3 s, explain errors.

A command runs as a task; when it (with its chart) is ready within ``defer_after`` seconds the
interaction is answered directly (callback type 4), otherwise it is deferred with a "thinking"
state (type 5) and the reply follows as webhook follow-ups. Discord shows the first follow-up
in place of the thinking message with the defer's visibility, so when the reply's visibility
differs from the guess the thinking message is deleted first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.adapters.base import Attachment
from bot.adapters.discord.errors import MissingManageServer, OnCooldown, Restarting, explain
from bot.adapters.discord.errors import register as register_errors
from bot.adapters.discord.locales import reader_language
from bot.adapters.discord.render import (
    chunks,
    message_lines,
    outgoing,
)
from bot.cooldown import Cooldown
from bot.delivery.poster import Outgoing
from bot.dispatch import Dispatcher, Outcome
from commands.context import MemberAlerts
from commands.reply import Message
from formatting.card import Language, languages

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Seconds a command may take before the interaction is deferred (Discord allows 3).
DEFER_AFTER = 1.5
#: Longest wait for the server's language before an error reply uses the default.
LANGUAGE_LOOKUP_LIMIT = 1.0
#: Cards one /signal may post in a channel (each is an embed with a chart).
MAX_CARDS = 5
#: Members without Manage Server get regime alerts in their own direct messages.
MEMBER_ALERTS: MemberAlerts = "dm"
_DEFERRED_PUBLIC = "signalbot_deferred_public"
_DELIVERED = "signalbot_delivered"
#: The first response can no longer be made: 10062 Unknown interaction (the 3-second window
#: passed, or the token is unknown), 40060 Interaction has already been acknowledged (another
#: process answered). https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
DEAD_FIRST_RESPONSE = frozenset({10062, 40060})
#: A follow-up can no longer be sent: 50027 Invalid Webhook Token (the 15-minute token expired),
#: 10015 Unknown Webhook.
DEAD_FOLLOWUP = frozenset({50027, 10015})


class InteractionGone(Exception):
    """Discord no longer accepts answers to this interaction; logged once, never retried."""

    def __init__(self, code: int, *, first: bool) -> None:
        super().__init__(f"code {code}")
        self.code = code
        self.first = first


def dead_code(error: BaseException) -> int | None:
    """The Discord code of ``error`` when it says the interaction can no longer be answered."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, InteractionGone):
        return error.code
    if (
        isinstance(error, discord.HTTPException)
        and error.code in DEAD_FIRST_RESPONSE | DEAD_FOLLOWUP
    ):
        return int(error.code)
    return None


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


def user_context(interaction: Interaction) -> bool:
    """A DM, or a server where the bot is only installed by the user (not by the server)."""
    return interaction.guild_id is None or not interaction.is_guild_integration()


def command_name(interaction: Interaction) -> str | None:
    """The command's qualified name, or the name Discord sent (a stale command has no object)."""
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    name = data.get("name")
    return str(name) if name else None


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
        register_errors()
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
        seconds = self.cooldown.take(str(interaction.user.id))
        if seconds:
            raise OnCooldown(seconds)
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
        prepare = asyncio.create_task(self._prepare(command, args, place, interaction))
        try:
            done, _ = await asyncio.wait({prepare}, timeout=self.defer_after)
            if not done:
                await self._first(interaction.response.defer(thinking=True, ephemeral=not public))
                interaction.extras[_DEFERRED_PUBLIC] = public
            outcome, messages = await prepare
            await self.send(interaction, messages)
        except InteractionGone as gone:
            self.gone(interaction, gone, command=command, refund=command == "signal")
            return
        finally:
            prepare.cancel()  # no-op once finished; else stops orphaned work
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
        self, command: str, args: dict[str, str], place: Place, interaction: Interaction
    ) -> tuple[Outcome, list[Outgoing]]:
        outcome = await self.dispatcher.run(
            command,
            args,
            platform=PLATFORM,
            server_id=place.server_id,
            channel_id=place.channel_id,
            user_id=place.user_id,
            is_admin=place.is_admin,
            member_alerts=MEMBER_ALERTS,
            max_tickers=MAX_CARDS,
        )
        if command == "about":  # the Discord-specific part of /about: whose language is used
            note = Message(key="discord.about.locale")
            reply = dataclasses.replace(outcome.reply, messages=(*outcome.reply.messages, note))
            outcome = dataclasses.replace(outcome, reply=reply)
        reader = reader_language(interaction.locale)
        if reader is not None and user_context(interaction):  # no server to follow: the reader's
            outcome = dataclasses.replace(outcome, language=reader)
        return outcome, await outgoing(outcome, reader=reader)

    async def send(self, interaction: Interaction, messages: list[Outgoing]) -> None:
        """Answer with ``messages``: the first as the response, the rest as follow-ups."""
        if not messages:
            raise RuntimeError("the command produced an empty reply")
        first, *rest = messages
        if not interaction.response.is_done():
            await self._first(interaction.response.send_message(**send_kwargs(first)))
        else:
            deferred_public = interaction.extras.pop(_DEFERRED_PUBLIC, None)
            if deferred_public is not None and deferred_public == first.ephemeral:
                await self._followup(interaction.delete_original_response())  # start afresh
            await self._followup(interaction.followup.send(**send_kwargs(first)))
        interaction.extras[_DELIVERED] = True
        for message in rest:
            await self._followup(interaction.followup.send(**send_kwargs(message)))

    @staticmethod
    async def _first(call: Any) -> None:
        """Await the interaction's one response; InteractionGone when Discord refuses it."""
        await _unless_gone(call, DEAD_FIRST_RESPONSE, first=True)

    @staticmethod
    async def _followup(call: Any) -> None:
        """Await a follow-up (or an edit of the response); InteractionGone on a dead token."""
        await _unless_gone(call, DEAD_FOLLOWUP, first=False)

    def gone(
        self,
        interaction: Interaction,
        gone: InteractionGone,
        *,
        command: str | None,
        refund: bool = True,
    ) -> None:
        """Log a dead interaction once (a warning, no traceback); with ``refund`` (a /signal
        that charged the cooldown), refund the asker's cooldown when nothing reached them."""
        delivered = bool(interaction.extras.get(_DELIVERED))
        if refund and not delivered:
            self.cooldown.refund(str(interaction.user.id))
        log.warning(
            "discord interaction=%s command=%s could not be answered: code %d (%s); "
            "not retried, reply_delivered=%s",
            interaction.id,
            command,
            gone.code,
            "response refused" if gone.first else "follow-up token dead",
            delivered,
        )

    # -- errors -------------------------------------------------------------------------------

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        """The tree's one error handler: an ephemeral, specific message in the server's language."""
        command = command_name(interaction)
        code = dead_code(error)
        if code is not None:  # Discord refuses any answer: say so once, never answer again
            first = code in DEAD_FIRST_RESPONSE
            gone = InteractionGone(code, first=first)
            self.gone(interaction, gone, command=command, refund=command == "signal")
            return
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
        lang: Language | None = reader_language(interaction.locale)  # private: the reader's
        if lang is None:
            try:  # bounded: the first response must reach Discord within its 3-second window
                lang = await asyncio.wait_for(
                    self.dispatcher.language_for(PLATFORM, place.server_id),
                    LANGUAGE_LOOKUP_LIMIT,
                )
            except Exception:
                log.exception("language lookup failed or slow server=%s", place.server_id)
                lang = self.dispatcher.services.default_language
        lines = [explained.message, *explained.extra]
        shown: Language = lang or self.dispatcher.services.default_language
        texts = chunks(message_lines(lines, lg) for lg in languages(shown))
        try:
            await self.send(
                interaction, [Outgoing.message(content=c, ephemeral=True) for c in texts]
            )
        except InteractionGone as gone:  # a refused /signal was never charged: keep its wait
            refund = command == "signal" and not isinstance(error, OnCooldown)
            self.gone(interaction, gone, command=command, refund=refund)
        except discord.HTTPException as exc:
            log.warning("could not send the error reply interaction=%s: %s", interaction.id, exc)


async def _unless_gone(call: Any, dead: Container[int], *, first: bool) -> None:
    """Await ``call``; a Discord error whose code is in ``dead`` becomes InteractionGone."""
    try:
        await call
    except discord.HTTPException as exc:
        if exc.code in dead:
            raise InteractionGone(exc.code, first=first) from None
        raise
