"""Who and where, as the fake Telegram knows them: users, chats, members, and the updates a test
injects (messages, commands, ``my_chat_member``, migration service messages).

Objects are shaped like the Bot API's (https://core.telegram.org/bots/api#available-types) with
every field python-telegram-bot requires to build them: ``User``, ``Chat``, ``Message``,
``ChatMemberOwner`` / ``ChatMemberAdministrator`` / ``ChatMemberMember`` / ``ChatMemberLeft``
/ ``ChatMemberBanned`` (https://core.telegram.org/bots/api#chatmember: the status strings are
``creator``, ``administrator``, ``member``, ``restricted``, ``left``, ``kicked``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup", "channel"]
Status = Literal["creator", "administrator", "member", "left", "kicked"]

BOT_ID = 424242
BOT_USERNAME = "signalbot_test_bot"
#: ``{id}:{secret}``, the shape of a token @BotFather gives (https://core.telegram.org/bots/api#authorizing-your-bot)
BOT_TOKEN = f"{BOT_ID}:AAtest-token_for_the_fake"
DATE = 1_765_000_000  # a fixed Unix time: the fake reads no clock

#: A bot command at the start of a message: ``/signal`` or ``/signal@botname``
#: (https://core.telegram.org/bots/features#commands: "Commands must always start with the /
#: symbol and contain up to 32 characters ... Latin letters, numbers and underscores").
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?")


def bot_user() -> dict[str, Any]:
    """What ``getMe`` answers (https://core.telegram.org/bots/api#getme)."""
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "signalbot",
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,  # privacy mode on: commands still arrive
        "supports_inline_queries": False,
    }


@dataclass
class Chat:
    """A chat the fake knows: its type and, for groups and channels, who holds which role."""

    id: int
    type: ChatType
    title: str = ""
    username: str | None = None  # channels: ``@name`` works as chat_id
    members: dict[int, Status] = field(default_factory=dict)
    bot_status: Status = "member"  # the bot's own status in a group or channel
    blocked: bool = False  # private: the user blocked the bot
    migrated_to: int | None = None  # a group upgraded to this supergroup

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.title or "User"
        else:
            data["title"] = self.title or f"chat {self.id}"
        if self.username:
            data["username"] = self.username
        return data

    def full_info(self) -> dict[str, Any]:
        """``getChat`` (``ChatFullInfo``: ``accent_color_id`` and ``max_reaction_count`` are
        required there, https://core.telegram.org/bots/api#chatfullinfo)."""
        return self.as_json() | {"accent_color_id": 0, "max_reaction_count": 11}


def user_json(user_id: int, language_code: str | None = None, name: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name or f"U{user_id}"}
    if language_code is not None:
        data["language_code"] = language_code
    return data


_ADMIN_RIGHTS = [
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
]


def member_json(user: dict[str, Any], status: Status) -> dict[str, Any]:
    """A ``ChatMember`` of ``status`` with the fields its type requires."""
    data: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data |= {right: right != "can_be_edited" for right in _ADMIN_RIGHTS}
        data |= {"is_anonymous": False, "can_post_messages": True, "can_edit_messages": True}
    elif status == "kicked":
        data["until_date"] = 0
    return data


def text_message(
    message_id: int, chat: Chat, user: dict[str, Any] | None, text: str
) -> dict[str, Any]:
    """A text message as Telegram delivers it; a leading command gets its ``bot_command``
    entity (https://core.telegram.org/bots/api#messageentity), which is what
    python-telegram-bot's ``CommandHandler`` looks for."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": DATE,
        "chat": chat.as_json(),
        "text": text,
    }
    if user is not None:
        message["from"] = user
    elif chat.type == "channel":
        message["sender_chat"] = chat.as_json()
    command = _COMMAND.match(text)
    if command is not None:
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command.group(0))}
        ]
    return message


def my_chat_member(chat: Chat, user: dict[str, Any], old: Status, new: Status) -> dict[str, Any]:
    """``ChatMemberUpdated`` for the bot itself (https://core.telegram.org/bots/api#update:
    ``my_chat_member``: "The bot's chat member status was updated in a chat. For private
    chats, this update is received only when the bot is blocked or unblocked by the user")."""
    bot = bot_user()
    return {
        "chat": chat.as_json(),
        "from": user,
        "date": DATE,
        "old_chat_member": member_json(bot, old),
        "new_chat_member": member_json(bot, new),
    }
