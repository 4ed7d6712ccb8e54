"""The command menu Telegram shows when someone types ``/``, generated from the registry.

``setMyCommands`` sets a list per scope and ``language_code``; the language code is "a two-letter
ISO 639-1 language code. If empty, commands will be applied to all users from the given scope,
for whose language there are no dedicated commands" (https://core.telegram.org/bots/api#setmycommands).
So there is the default list, in English, and one Chinese list (``zh``, in Simplified: Telegram
refuses ``zh-hant``). A list is set only when it differs from what Telegram has.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from commands import registry
from formatting.i18n import Lang, t

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

#: language_code -> the catalog language of its descriptions ("": the default list)
MENUS: dict[str, Lang] = {"": "en", "zh": "zh"}
#: https://core.telegram.org/bots/api#botcommand: description of 1-256 characters
MAX_DESCRIPTION = 256


def menu(lang: Lang) -> list[tuple[str, str]]:
    """(command, description) of every registry command, described in ``lang``."""
    return [
        (spec.name, t(spec.help_key, lang)[:MAX_DESCRIPTION]) for spec in registry.REGISTRY.values()
    ]


async def sync_menus(bot: Bot) -> int:
    """Set each menu whose commands Telegram does not have yet; how many were set."""
    from telegram import BotCommand

    changed = 0
    for code, lang in MENUS.items():
        wanted = menu(lang)
        have = await bot.get_my_commands(language_code=code or None)
        if [(c.command, c.description) for c in have] == wanted:
            continue
        commands = [BotCommand(name, text) for name, text in wanted]
        await bot.set_my_commands(commands, language_code=code or None)
        changed += 1
    if changed:
        log.info("telegram command menus set: %d", changed)
    return changed


async def menus_set(bot: Bot) -> list[str]:
    """The menus Telegram does not have as the registry says (for ``signalbot doctor``)."""
    missing = []
    for code, lang in MENUS.items():
        have = await bot.get_my_commands(language_code=code or None)
        if [(c.command, c.description) for c in have] != menu(lang):
            missing.append(code or "default")
    return missing
