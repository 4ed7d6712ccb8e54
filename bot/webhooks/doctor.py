"""``signalbot doctor``'s lines for webhook targets: one per paused target, with its reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.ops.checks import Check, ok, problem
from bot.settings import Settings
from bot.storage import open_storage


async def webhook_checks(settings: Settings, limit: float) -> list[Check]:
    """Nothing without targets; else a line for the active ones and one per paused target."""
    from sqlalchemy.engine import make_url

    url = settings.storage.async_database_url
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not await asyncio.to_thread(Path(str(file)).exists):
        return []  # no database yet: the database line says so
    try:
        async with asyncio.timeout(limit), open_storage(url, migrate=False) as storage:
            targets = await storage.list_webhooks()
    except Exception:  # unreachable, or not migrated yet: the database line says so
        return []
    if not targets:
        return []
    paused = [t for t in targets if t.paused_reason]
    checks = [ok("webhooks", f"{len(targets) - len(paused)} of {len(targets)} targets active")]
    for target in paused:
        checks.append(
            problem(
                f"webhook {target.id}",
                f"{target.kind} target paused: {target.paused_reason}",
                f"fix it on the platform (robot, URL or secret), then `signalbot webhook test "
                f"{target.id}` resumes it; or `webhook remove {target.id}` and add it again",
            )
        )
    return checks
