"""The fake Telegram's side of what users do: the chats and users a test sets up, the updates it
injects, and the ``getUpdates`` queue the bot polls (https://core.telegram.org/bots/api#getupdates,
#update).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from tests.fakes.telegram.chats import (
    Chat,
    ChatType,
    Status,
    my_chat_member,
    text_message,
    user_json,
)


class Updates:
    """Chats, users and the update queue (mixed into :class:`~tests.fakes.telegram.FakeTelegram`)."""

    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []  # not yet confirmed
        self.confirmed = 0  # updates the bot confirmed (polled past)
        self._update_ids = itertools.count(500_000)
        self._incoming_ids = itertools.count(1)
        self.changed = asyncio.Condition()
        self._closing = False
        self._wakers: set[asyncio.Task[None]] = set()

    # --- who and where ---------------------------------------------------------------------
    def user(
        self, user_id: int, language_code: str | None = "en", name: str = ""
    ) -> dict[str, Any]:
        """A user (``language_code`` as their Telegram app sends it: ``en``, ``zh-hans`` ...)."""
        self.users[user_id] = user_json(user_id, language_code, name)
        return self.users[user_id]

    def private(self, user_id: int, language_code: str | None = "en") -> Chat:
        """A private chat with ``user_id`` (a private chat's id is the user's id)."""
        self.user(user_id, language_code)
        chat = Chat(user_id, "private", title=f"U{user_id}")
        self.chats[user_id] = chat
        return chat

    def group(
        self,
        chat_id: int,
        *,
        kind: ChatType = "group",
        title: str = "",
        username: str | None = None,
        creator: int | None = None,
        admins: tuple[int, ...] = (),
        members: tuple[int, ...] = (),
        bot_status: Status = "member",
    ) -> Chat:
        """A group, supergroup or channel and who holds which role there (group ids are
        negative, supergroups and channels ``-100…``, as Telegram numbers them)."""
        roles: dict[int, Status] = {m: "member" for m in members}
        roles |= {a: "administrator" for a in admins}
        if creator is not None:
            roles[creator] = "creator"
        for user_id in roles:
            self.users.setdefault(user_id, user_json(user_id))
        chat = Chat(chat_id, kind, title=title, username=username, members=roles,
                    bot_status=bot_status)  # fmt: skip
        self.chats[chat_id] = chat
        return chat

    # --- what users do ---------------------------------------------------------------------
    def message(self, chat_id: int, user_id: int | None, text: str) -> dict[str, Any]:
        """``user_id`` writes ``text`` in ``chat_id`` (a command gets its entity)."""
        chat = self.chats[chat_id]
        user = None if user_id is None else self.users.get(user_id) or self.user(user_id)
        message = text_message(next(self._incoming_ids), chat, user, text)
        key = "channel_post" if chat.type == "channel" else "message"
        return self.inject({key: message})

    def bot_status(
        self, chat_id: int, new: Status, *, by: int, old: Status | None = None
    ) -> dict[str, Any]:
        """The bot's status in ``chat_id`` changes (blocked: ``kicked`` in a private chat;
        added back: ``member``): sets it and injects the ``my_chat_member`` update."""
        chat = self.chats[chat_id]
        before = old or ("kicked" if chat.blocked else chat.bot_status)
        if chat.type == "private":
            chat.blocked = new == "kicked"
        else:
            chat.bot_status = new
        user = self.users.get(by) or self.user(by)
        return self.inject({"my_chat_member": my_chat_member(chat, user, before, new)})

    def migrate(self, group_id: int, supergroup_id: int, *, by: int) -> Chat:
        """Upgrade a group to a supergroup: the old id answers ``migrate_to_chat_id`` from now
        on, roles carry over, and both service messages are delivered."""
        old = self.chats[group_id]
        new = Chat(supergroup_id, "supergroup", title=old.title, members=dict(old.members),
                   bot_status=old.bot_status)  # fmt: skip
        self.chats[supergroup_id] = new
        user = self.users.get(by) or self.user(by)
        moved = text_message(next(self._incoming_ids), old, user, "")
        del moved["text"]
        moved["migrate_to_chat_id"] = supergroup_id
        self.inject({"message": moved})
        arrived = text_message(next(self._incoming_ids), new, user, "")
        del arrived["text"]
        arrived["migrate_from_chat_id"] = group_id
        self.inject({"message": arrived})
        old.migrated_to = supergroup_id
        return new

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (``update_id`` added); the bot gets it at its next poll."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._wake()
        return update

    # --- the queue -------------------------------------------------------------------------
    @property
    def pending_count(self) -> int:
        return len(self.updates)

    def pending(self) -> list[dict[str, Any]]:
        return list(self.updates)

    def confirm(self, offset: int) -> None:
        """Forget the updates below ``offset`` (what a ``getUpdates`` offset does)."""
        before = len(self.updates)
        self.updates = [u for u in self.updates if int(u["update_id"]) >= offset]
        self.confirmed += before - len(self.updates)

    def drop_pending(self) -> None:
        self.updates.clear()

    async def poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """``getUpdates``: confirm below ``offset``, wait up to ``timeout`` for one."""
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.confirm(offset)
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout > 0 and not self._closing:
            try:
                async with asyncio.timeout(timeout), self.changed:
                    await self.changed.wait_for(lambda: bool(self.updates) or self._closing)
            except TimeoutError:
                pass
        return self.updates[:limit]

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def _wake(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # set up before the loop runs: nobody is polling yet
            return
        self._wakers.add(task := loop.create_task(self.notify()))
        task.add_done_callback(self._wakers.discard)

    async def close_polls(self) -> None:
        """Answer every waiting ``getUpdates`` now (the server is stopping)."""
        self._closing = True
        await self.notify()
