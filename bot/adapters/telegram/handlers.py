"""What the bot does with each Telegram update: a command, the bot's own membership, a move.

- A message (or a channel post) whose text is a command for this bot runs through
  :class:`~bot.dispatch.Dispatcher` (the one error policy) and is answered in the chat
  (:mod:`.replies`). The chat is the server of its settings; its language starts as the first
  asker's (:mod:`.locale`).
- ``my_chat_member`` (https://core.telegram.org/bots/api#chatmemberupdated): the bot was blocked
  or removed (``kicked`` / ``left``) -> the chat's digests and alerts are paused; added back or
  unblocked -> resumed.
- A group upgraded to a supergroup sends ``migrate_to_chat_id`` (and the supergroup
  ``migrate_from_chat_id``, https://core.telegram.org/bots/api#message): its settings,
  subscriptions and alerts move to the new id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.adapters.telegram.locale import chat_language
from bot.adapters.telegram.parsing import Parsed, command_words, parse_text
from bot.adapters.telegram.replies import OnPost, Replier
from bot.adapters.telegram.roles import Roles
from bot.adapters.telegram.titles import titled
from bot.adapters.terminal import NOT_UNDERSTOOD
from bot.cooldown import Cooldown
from bot.dispatch import Dispatcher, explain
from bot.storage import Storage
from commands.reply import UserError
from commands.suggest import did_you_mean
from commands.validation import shown
from formatting.card import Language

if TYPE_CHECKING:
    from telegram import Bot, Chat, Message, Update, User

log = logging.getLogger(__name__)

PLATFORM = "telegram"
#: Cards per message (the terminal's and Slack's cap).
MAX_CARDS = 4
#: Telegram's stand-in sender for anonymous group administrators (their messages carry the
#: group as ``sender_chat``).
ANONYMOUS_ADMIN = 1087968824


class Handlers:
    """Routes updates; ``username`` is the bot's own (known after ``getMe``)."""

    def __init__(
        self, bot: Bot, dispatcher: Dispatcher, storage: Storage | None, *, cooldown: Cooldown
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.storage = storage
        self.cooldown = cooldown
        self.roles = Roles(bot)
        self.username = ""
        self._languages_known: set[str] = set()
        self.on_post: OnPost | None = None  # metrics: messages sent
        self.handled = 0  # updates handled to the end (tests wait on it, no clock)
        self._handled = asyncio.Condition()
        # both service messages of a migration may arrive (and run) at once: one move at a time
        self._moving = asyncio.Lock()

    async def wait_handled(self, count: int) -> None:
        """Wait until ``count`` updates have been handled to the end."""
        async with self._handled:
            await self._handled.wait_for(lambda: self.handled >= count)

    async def on_update(self, update: Update) -> None:
        """Handle one update; never raises (the one error policy answers the user)."""
        try:
            if update.my_chat_member is not None:
                await self.membership(update)
                return
            message = update.message or update.channel_post
            if message is None:
                return
            if message.migrate_to_chat_id is not None:
                await self.moved(str(message.chat.id), str(message.migrate_to_chat_id))
            elif message.migrate_from_chat_id is not None:
                await self.moved(str(message.migrate_from_chat_id), str(message.chat.id))
            elif message.text:
                await self.command(message)
        except Exception:
            log.exception("telegram update failed update_id=%s", update.update_id)
        finally:
            async with self._handled:
                self.handled += 1
                self._handled.notify_all()

    # --- the bot's membership and chat moves ----------------------------------------------
    async def membership(self, update: Update) -> None:
        """The bot's status changed: the delivery side pauses or resumes the chat
        (:func:`~bot.adapters.telegram.failures.bot_status_changed`); whoever set its digests
        and alerts up is told in a private chat."""
        from bot.adapters.telegram.failures import bot_status_changed

        change = update.my_chat_member
        assert change is not None
        chat = change.chat
        member = change.new_chat_member
        self.roles.forget(chat.id)
        if not isinstance(self.storage, Storage):
            return
        can_send = getattr(member, "can_send_messages", None)
        done = await bot_status_changed(
            self.storage, str(chat.id), str(chat.type), str(member.status), can_send=can_send
        )
        where = chat.title or chat.username or str(chat.id)
        key = "telegram.chat_paused" if done.paused else "telegram.chat_resumed"
        for person in done.tell:
            if not person.lstrip("-").isdigit():
                continue
            lang = await self.dispatcher.safe_language_for(PLATFORM, person)
            try:
                await Replier(self.bot, int(person), on_post=self.on_post).say(
                    key, lang, chat=where
                )
            except Exception as exc:  # they may have blocked the bot too
                log.info("telegram could not tell user=%s about chat=%s: %s", person, chat.id, exc)

    async def moved(self, old_id: str, new_id: str) -> None:
        """A group became a supergroup: everything of the old id moves to the new one."""
        log.warning("telegram group chat=%s is now supergroup=%s; moving it", old_id, new_id)
        self.roles.forget(old_id)
        self._languages_known.discard(old_id)
        if isinstance(self.storage, Storage):
            async with self._moving:
                await self.storage.move_chat(PLATFORM, old_id, new_id)

    # --- commands ---------------------------------------------------------------------------
    async def command(self, message: Message) -> None:
        chat, user = message.chat, message.from_user
        private = chat.type == "private"
        parsed = parse_text(message.text or "", username=self.username, private=private)
        if parsed is None:
            return
        replier = Replier(
            self.bot, chat.id, None if private else message.message_id, on_post=self.on_post
        )
        lang = await self.language(chat, user)
        from telegram.error import ChatMigrated, Forbidden

        try:
            await self._serve(message, parsed, replier, lang)
        except (Forbidden, ChatMigrated) as exc:  # the chat cannot be written to: nobody to tell
            log.warning("telegram could not reply in chat=%s: %s", chat.id, exc)
        except Exception as exc:  # the one error policy says what the user reads
            explained = explain(exc, what="telegram command crashed", chat=chat.id)
            try:
                await replier.messages([explained.message], lang)
            except Exception:
                log.exception("telegram could not report error_id=%s", explained.error_id)

    async def language(
        self, chat: Chat, user: User | None, *, server: str | None = None
    ) -> Language:
        """The chat's language; a chat that has none yet takes its first asker's."""
        server = server or str(chat.id)
        settings = self.dispatcher.services.settings
        if server not in self._languages_known and settings is not None and user is not None:
            chosen = chat_language(user.language_code)
            if chosen is not None and not await settings.get_language(PLATFORM, server, ""):
                await settings.set_language(PLATFORM, server, chosen)
                log.info("telegram chat=%s language from its first user: %s", server, chosen)
            self._languages_known.add(server)
        return await self.dispatcher.safe_language_for(PLATFORM, server)

    async def _serve(
        self, message: Message, parsed: Parsed, replier: Replier, lang: Language
    ) -> None:
        chat, user = message.chat, message.from_user
        private = chat.type == "private"
        if parsed.command == NOT_UNDERSTOOD:
            await replier.say("terminal.not_understood", lang, text=shown(parsed.args["text"]))
            return
        if parsed.unknown:
            typed = shown(f"/{parsed.command}")
            suggestion = did_you_mean(parsed.command, command_words())
            if suggestion is not None:
                await replier.say("terminal.did_you_mean", lang, command=typed,
                                  suggestion=f"/{suggestion}")  # fmt: skip
            elif private:
                await replier.say("terminal.unknown_command", lang, command=typed)
            return
        user_id = user.id if user is not None else None
        if parsed.command == "signal" and user_id is not None:
            seconds = self.cooldown.take(f"{chat.id}:{user_id}")
            if seconds:
                raise UserError("error.cooldown", seconds=seconds)
        server = channel = str(chat.id)
        titles = {channel: chat.title} if chat.title else {}
        args = dict(parsed.args)
        admin = False
        if parsed.target is not None and parsed.command in ("digest", "alert"):
            target, title = await self._channel_target(parsed.target, user_id)
            server = channel = args["channel"] = target
            titles = {target: title or parsed.target}
            admin = True
            lang = await self.language(chat, user, server=target)
        elif parsed.needs_admin_check:
            admin = await self._admin(message)
        outcome = await self.dispatcher.run(
            parsed.command,
            args,
            platform=PLATFORM,
            server_id=server,
            channel_id=channel,
            user_id=str(user_id) if user_id is not None else None,
            is_admin=admin,
            member_alerts="none",
            max_tickers=MAX_CARDS,
        )
        outcome = titled(outcome, titles)
        if parsed.command == "signal" and outcome.fetched_nothing and user_id is not None:
            self.cooldown.refund(f"{chat.id}:{user_id}")  # a typo does not use up the cooldown
        scheduled = any(m.key.startswith("digest.scheduled") for m in outcome.reply.messages)
        if scheduled and user_id is not None and isinstance(self.storage, Storage):
            try:  # who to tell when this digest pauses or resumes
                await self.storage.set_created_by(PLATFORM, server, channel, str(user_id))
            except Exception:
                log.exception("telegram could not record the digest's admin chat=%s", channel)
        await replier.outcome(outcome)

    async def _admin(self, message: Message) -> bool:
        chat, user = message.chat, message.from_user
        if chat.type == "private":
            return True  # the user's own chat with the bot
        sender = message.sender_chat
        if sender is not None and sender.id == chat.id:
            return True  # an anonymous administrator (or the channel itself)
        if user is None or user.id == ANONYMOUS_ADMIN:
            return False
        return await self.roles.is_admin(chat.id, user.id)

    async def _channel_target(self, named: str, user_id: int | None) -> tuple[str, str | None]:
        """The channel a digest or alert command names, once Telegram says that both the
        user and the bot are administrators there; its id and title (``getChat``)."""
        from telegram.error import TelegramError

        try:
            target = await self.bot.get_chat(named)
        except TelegramError as exc:
            log.info("telegram channel %s not found: %s", named, exc)
            raise UserError("telegram.error.channel_not_found", channel=named) from None
        if user_id is None or not (
            await self.roles.is_admin(target.id, user_id)
            and await self.roles.is_admin(target.id, self.bot.id)
        ):
            raise UserError("telegram.error.channel_admins", channel=named)
        return str(target.id), target.title
