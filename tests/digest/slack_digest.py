"""A real ``signalbot run`` with a Slack digest due now: the subscriptions and the environment
the crash tests (takeover, database outage, clock skew) share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.storage import open_storage
from tests.fakes.bot_process import bot_env


async def subscribe(url: str, channels: Sequence[str], watchlist: Sequence[str]) -> None:
    """Workspace T0 watches ``watchlist``; every one of ``channels`` gets its digest (New York)."""
    async with open_storage(url) as storage:
        await storage.set_watchlist("slack", "T0", list(watchlist))
        for channel in channels:
            await storage.upsert_subscription(
                "slack", "T0", channel, time=None, timezone="America/New_York"
            )


def slack_env(
    tmp_path: Path, prices: Path, url: str, slack_url: str, *, lease: str, **extra: str
) -> dict[str, str]:
    """The bot on ``url``, Slack over HTTP against the fake at ``slack_url``, the last session's
    digest due now, claims leased for ``lease`` seconds. Its HTTP server takes any free port as
    it binds (``SIGNALBOT_HTTP_PORT=0``; :func:`tests.support.logged_port` reads it back), so
    bots started side by side, here or in other test workers, never race for one."""
    return bot_env(
        tmp_path,
        prices,
        SIGNALBOT_DATABASE_URL=url,
        SIGNALBOT_LOG_LEVEL="INFO",
        SIGNALBOT_DIGEST_LEASE_SECONDS=lease,
        SIGNALBOT_DIGEST_GRACE_HOURS="200",  # the last session's digest is due now
        SIGNALBOT_HTTP_PORT="0",
        SLACK_BOT_TOKEN="xoxb-fake-token",
        SLACK_SIGNING_SECRET="fake-signing-secret",
        SLACK_API_BASE_URL=slack_url,
        **extra,
    )
