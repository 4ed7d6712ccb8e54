"""``signalbot doctor``'s Telegram lines: the token (``getMe``), the webhook state
(``getWebhookInfo``) and the command menus (``getMyCommands``), each with a timeout.

The webhook must match the mode: with ``TELEGRAM_WEBHOOK_URL`` Telegram must post there (the
bot sets it when it starts; a different URL is someone else's); without it no webhook may be
set, because "you will not be able to receive updates using getUpdates for as long as an
outgoing webhook is set up" (https://core.telegram.org/bots/api#setwebhook). Telegram's own
error for the last delivery (``last_error_message``) is shown when there is one.
"""

from __future__ import annotations

import asyncio

from bot.ops.checks import Check, ok, problem
from bot.settings import Settings


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


async def telegram_checks(settings: Settings, limit: float) -> list[Check]:
    """getMe, getWebhookInfo and the menus; the token never printed."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from bot.adapters.telegram.menu import menus_set

    group = settings.telegram
    assert group.bot_token is not None
    token = group.bot_token.get_secret_value().strip()
    bot = Bot(token, base_url=group.base_url)
    try:
        async with asyncio.timeout(limit):
            await bot.initialize()
    except (InvalidToken, TelegramError, TimeoutError, OSError) as exc:
        detail = _short(exc).replace(token, "***")
        return [
            problem(
                "telegram",
                f"getMe failed ({type(exc).__name__}: {detail})",
                "check TELEGRAM_BOT_TOKEN (talk to @BotFather: /token) and that "
                f"{group.base_url} is reachable",
            )
        ]
    checks = [ok("telegram", f"logged in as @{bot.username}")]
    try:
        async with asyncio.timeout(limit):
            info = await bot.get_webhook_info()
            missing = await menus_set(bot)
    except (TelegramError, TimeoutError, OSError) as exc:
        await bot.shutdown()
        return [*checks, problem("telegram webhook", _short(exc).replace(token, "***"), "retry")]
    await bot.shutdown()
    checks.append(_webhook_check(info.url or "", group.webhook_url, info.last_error_message))
    if missing:
        checks.append(
            problem(
                "telegram commands",
                f"the command menu is not set for: {', '.join(missing)}",
                "start the bot once (`signalbot run`): it sets the menus",
            )
        )
    else:
        checks.append(ok("telegram commands", "menus set in English and Chinese (zh)"))
    return checks


def _webhook_check(current: str, wanted: str | None, last_error: str | None) -> Check:
    if wanted:
        if current == wanted:
            detail = f"webhook {wanted}"
            if last_error:
                return problem("telegram webhook", f"{detail}; Telegram says: {last_error}",
                               "make the URL reach SIGNALBOT_HTTP_PORT over HTTPS")  # fmt: skip
            return ok("telegram webhook", detail)
        if not current:
            return ok("telegram webhook", "not set yet: the bot sets it when it starts")
        return problem(
            "telegram webhook",
            f"Telegram posts to {current}, not TELEGRAM_WEBHOOK_URL",
            "start the bot (it sets the webhook), or fix TELEGRAM_WEBHOOK_URL",
        )
    if current:
        return problem(
            "telegram webhook",
            f"a webhook is set ({current}): long polling gets no updates while it is",
            "set TELEGRAM_WEBHOOK_URL to it, or start the bot (polling deletes it)",
        )
    return ok("telegram webhook", "none: long polling")
