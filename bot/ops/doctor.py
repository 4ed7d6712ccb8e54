"""``signalbot doctor``: the configuration checked against the real services, as a checklist.

Each check gives one line, ``ok`` or ``problem``, with what was found and, for a problem, what to
do. Checks are independent: one failing never hides the others. Every network call has a timeout.
Exit code 0 when every check passed, 1 otherwise. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.ops.checks import Check as Check
from bot.ops.checks import format_check as format_check
from bot.ops.checks import ok, problem
from bot.settings import Settings
from bot.storage.urls import safe_url

if TYPE_CHECKING:
    from signals.bars import AsyncPriceSource, PriceSource

EXIT_OK, EXIT_PROBLEM = 0, 1


def settings_check(settings: Settings) -> Check:
    """The settings parsed (else doctor would not run) and name at least one usable surface."""
    surfaces = []
    if settings.discord.enabled:
        surfaces.append("Discord")
    if settings.slack.enabled:
        surfaces.append("Slack (Socket Mode)" if settings.slack.socket_mode else "Slack (HTTP)")
    slack_partial = not settings.slack.enabled and any(
        v is not None
        for v in (
            settings.slack.bot_token,
            settings.slack.app_token,
            settings.slack.signing_secret,
            settings.slack.client_id,
        )
    )
    if slack_partial:
        return problem(
            "settings",
            "some SLACK_* variables are set, but not enough to connect",
            "set SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET) and SLACK_APP_TOKEN "
            "(Socket Mode) or SLACK_SIGNING_SECRET (HTTP)",
        )
    shown = " and ".join(surfaces) if surfaces else "no chat token: `signalbot run` is a terminal"
    return ok("settings", f"valid; {shown}")


async def database_check(settings: Settings, limit: float) -> Check:
    """The database answers and is migrated to the code's latest revision."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import make_url

    from bot.storage.db import alembic_config, current_revision

    url = settings.storage.async_database_url
    where = safe_url(settings.storage.database_url)
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    # do not create an empty SQLite file by looking at it
    if file not in (None, "", ":memory:") and not await asyncio.to_thread(Path(str(file)).exists):
        return problem(
            "database",
            f"{where} does not exist yet",
            "run `signalbot db upgrade` (the bot also creates it when it starts)",
        )
    try:
        async with asyncio.timeout(limit):
            revision = await current_revision(url)
    except Exception as exc:
        return problem(
            "database",
            f"{where} is not reachable ({type(exc).__name__}: {_short(exc)})",
            "check SIGNALBOT_DATABASE_URL, and that the database server runs and accepts this user",
        )
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if revision not in heads:
        return problem(
            "database",
            f"{where} is reachable but at revision {revision or 'none'} (latest: "
            f"{', '.join(sorted(heads))})",
            "run `signalbot db upgrade` (the bot also migrates when it starts)",
        )
    return ok("database", f"{where} reachable, migrated ({revision})")


async def prices_checks(settings: Settings, limit: float) -> list[Check]:
    """Each link of the price source chain, built as the bot builds it, returns bars for SPY up
    to the latest completed session: one line per link (``price source 2/2`` in a chain)."""
    from bot.services import price_sources
    from signals.calendar import MarketCalendar

    try:
        chain = price_sources(settings)
    except ValueError as exc:
        return [problem("price source", str(exc), _source_fix(str(exc)))]
    session = MarketCalendar().last_completed_session(datetime.now(UTC))
    checks = []
    for number, source in enumerate(chain, start=1):
        name = "price source" if len(chain) == 1 else f"price source {number}/{len(chain)}"
        try:
            checks.append(await _link_check(name, source, session, limit))
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()
    return checks


async def _link_check(
    name: str, source: PriceSource | AsyncPriceSource, session: date, limit: float
) -> Check:
    from signals.bars import AsyncPriceSource

    start = session - timedelta(days=14)
    try:
        async with asyncio.timeout(limit):
            if isinstance(source, AsyncPriceSource):
                result = await source.fetch_async(["SPY"], start=start, end=session)
            else:
                result = await asyncio.to_thread(source.fetch, ["SPY"], start=start, end=session)
    except TimeoutError:
        return _price_problem(name, source.name, f"no answer within {limit:g}s", "timeout")
    except Exception as exc:
        return _price_problem(name, source.name, f"{type(exc).__name__}: {_short(exc)}", "")
    bars = result.bars.get("SPY")
    if bars is None or bars.empty:
        error = result.errors.get("SPY")
        cause = str(getattr(error, "cause", ""))
        return _price_problem(name, source.name, str(error) if error else "no bars for SPY", cause)
    last = bars.index[-1].date()
    close = float(bars["Close"].iloc[-1])
    age = "" if last >= session else f"; the latest completed session is {session}: data is stale"
    return ok(name, f"{source.name} answers: SPY closed at {close:.2f} on {last}{age}")


def _source_fix(detail: str) -> str:
    if "TIINGO_API_KEY" in detail:
        return "set TIINGO_API_KEY (a Tiingo API token), or drop tiingo from SIGNALBOT_PRICE_SOURCE"
    return "fix SIGNALBOT_PRICE_SOURCE"


def _price_problem(name: str, source: str, detail: str, cause: str) -> Check:
    from commands.advice import offline_command

    if cause == "rejected":
        fix = "check TIINGO_API_KEY: the source refused it"
    elif cause == "rate_limited":
        fix = "wait for the source's allowance to come back, or add another source to the chain"
    else:
        fix = f"check network access to the source, or try the bot offline: `{offline_command()}`"
    return problem(name, f"{source} did not answer for SPY ({detail})", fix)


def _short(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _guarded(name: str, check: Callable[[], Awaitable[list[Check]]]) -> list[Check]:
    """A check that crashed is a problem line, never a traceback."""
    try:
        return await check()
    except Exception as exc:
        return [problem(name, f"the check itself failed ({type(exc).__name__})", "report a bug")]


async def run_checks(settings: Settings, *, limit: float = 10.0) -> list[Check]:
    """Every check that applies to ``settings``, in checklist order."""
    from bot.ops.doctor_chat import discord_checks, slack_checks

    async def one(check: Awaitable[Check]) -> list[Check]:
        return [await check]

    checks = [settings_check(settings)]
    groups = [
        ("database", lambda: one(database_check(settings, limit))),
        ("price source", lambda: prices_checks(settings, limit)),
    ]
    from bot.webhooks.doctor import webhook_checks

    groups.append(("webhooks", lambda: webhook_checks(settings, limit)))
    if settings.discord.enabled:
        groups.append(("discord", lambda: discord_checks(settings, limit)))
    if settings.slack.enabled:
        groups.append(("slack", lambda: slack_checks(settings, limit)))
    for name, group in groups:
        checks += await _guarded(name, group)
    return checks


async def cmd_doctor(settings: Settings, *, limit: float = 10.0, out: TextIO | None = None) -> int:
    """Print the checklist; 0 when everything is ok, 1 otherwise."""
    stream = out or sys.stdout
    checks = await run_checks(settings, limit=limit)
    problems = sum(not c.ok for c in checks)
    summary = f"{len(checks) - problems} ok, {problems} problem(s)" if problems else "all checks ok"
    stream.write("".join(f"{format_check(check)}\n" for check in checks) + f"\n{summary}\n")
    return EXIT_PROBLEM if problems else EXIT_OK
