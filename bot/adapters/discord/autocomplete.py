"""Autocomplete for tickers (the server's watchlist, then the fund catalog) and time zones."""

from __future__ import annotations

import logging
import re
from functools import cache
from zoneinfo import available_timezones

from discord import app_commands

from bot.storage import Storage
from signals.funds import lookup, search

log = logging.getLogger(__name__)

#: Discord shows at most 25 choices; names and values are at most 100 characters.
MAX_CHOICES = 25
MAX_CHOICE_TEXT = 100
COMMON_TIMEZONES = (
    "America/New_York",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Europe/London",
    "UTC",
)
#: Between the value and the fund's name in a label (the ticker parser stops at it).
LABEL_SEPARATOR = " — "
_LAST_WORD = re.compile(r"^(.*?)([^\s,;]*)$", re.DOTALL)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHOICE_TEXT else text[: MAX_CHOICE_TEXT - 1] + "…"


def ticker_choices(current: str, watchlist: list[str]) -> list[app_commands.Choice[str]]:
    """Completions of the last ticker typed: watchlist entries first, then catalog funds.

    Earlier tickers in ``current`` are kept, so ``SPY QQ`` completes to ``SPY QQQ``.
    """
    match = _LAST_WORD.match(current)
    head, word = (match.group(1), match.group(2)) if match else ("", current)
    needle = word.strip().lstrip("$").upper()
    found: dict[str, str] = {}
    for ticker in watchlist:
        if ticker.upper().startswith(needle):
            fund = lookup(ticker)
            found.setdefault(ticker.upper(), fund.name if fund else "")
    for fund in search(needle, limit=MAX_CHOICES):
        found.setdefault(fund.ticker, fund.name)
    choices = []
    for ticker, name in list(found.items())[:MAX_CHOICES]:
        value = f"{head}{ticker}"
        if len(value) > MAX_CHOICE_TEXT:
            continue
        choices.append(app_commands.Choice(name=choice_label(value, name), value=value))
    return choices


def choice_label(value: str, name: str) -> str:
    """The label shown for ``value``: the full value first, then the fund's name if it fits.

    Some clients submit the label instead of the value (discord-api-docs #4012, #5749), so the
    label must parse as the value: ``SPY QQQ — Invesco QQQ Trust``; the name is cut, never the
    value (values are at most 100 characters, like labels).
    """
    if not name or len(value) + len(LABEL_SEPARATOR) >= MAX_CHOICE_TEXT:
        return value
    return _clip(f"{value}{LABEL_SEPARATOR}{name}")


async def server_watchlist(storage: Storage, platform: str, server_id: str) -> list[str]:
    """The server's watchlist, or nothing when storage cannot answer quickly."""
    try:
        return await storage.get_watchlist(platform, server_id)
    except Exception:
        log.exception("watchlist lookup failed server=%s", server_id)
        return []


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    """IANA time zones containing what was typed (common ones first when nothing is typed)."""
    needle = current.strip().lower().replace(" ", "_")
    if not needle:
        names = list(COMMON_TIMEZONES)
    else:
        starts = [z for z in _zones() if z.lower().startswith(needle)]
        parts = [z for z in _zones() if needle in z.lower() and z not in starts]
        names = starts + parts
    return [app_commands.Choice(name=z, value=z) for z in names[:MAX_CHOICES]]
