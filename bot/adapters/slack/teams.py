"""What the Slack adapter keeps in the bot's database beside the shared tables.

- ``slack_teams``: a workspace's Enterprise Grid org and whether the app is installed org-wide,
  as seen on the workspace's own requests. A subscription only names its workspace
  (``server_id``); the installation of an org-wide install is keyed by the org alone, so digests
  need this to find it (the way bolt's authorize uses the request's ``enterprise_id``).
- ``subscriptions.created_by``: who scheduled a digest, to tell that admin when it stops.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bot.storage import Storage
from bot.storage.models import slack_teams, subscriptions

PLATFORM = "slack"


@dataclass(frozen=True)
class Team:
    """A workspace as its requests describe it."""

    team_id: str
    enterprise_id: str | None
    is_enterprise_install: bool


class Teams:
    """``slack_teams`` and ``subscriptions.created_by`` on the storage engine."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._seen: dict[str, Team] = {}  # written already: one write per change, not per request

    async def remember(self, team: Team) -> None:
        """Record the workspace's org and install kind (a no-op when unchanged)."""
        if not team.team_id or self._seen.get(team.team_id) == team:
            return
        values = {
            "team_id": team.team_id,
            "enterprise_id": team.enterprise_id,
            "is_enterprise_install": team.is_enterprise_install,
            "updated_at": self.storage.now(),
        }
        stmt = self.storage.upsert(
            slack_teams,
            values,
            keys=["team_id"],
            update=["enterprise_id", "is_enterprise_install", "updated_at"],
        )
        async with self.storage.engine.begin() as conn:
            await conn.execute(stmt)
        self._seen[team.team_id] = team

    async def get(self, team_id: str) -> Team | None:
        """The workspace as last seen, or None when no request of it was seen."""
        query = select(slack_teams).where(slack_teams.c.team_id == team_id)
        async with self.storage.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        if row is None:
            return None
        return Team(row.team_id, row.enterprise_id, bool(row.is_enterprise_install))

    async def of_enterprise(self, enterprise_id: str) -> list[str]:
        """Every workspace seen in the org (an org-wide uninstall stops all their digests)."""
        query = select(slack_teams.c.team_id).where(slack_teams.c.enterprise_id == enterprise_id)
        async with self.storage.engine.connect() as conn:
            return [str(r.team_id) for r in (await conn.execute(query)).all()]

    async def set_created_by(self, server_id: str, channel_id: str, user_id: str) -> None:
        """Record who scheduled the channel's digest."""
        stmt = (
            update(subscriptions)
            .where(
                subscriptions.c.platform == PLATFORM,
                subscriptions.c.server_id == server_id,
                subscriptions.c.channel_id == channel_id,
            )
            .values(created_by=user_id)
        )
        async with self.storage.engine.begin() as conn:
            await conn.execute(stmt)

    async def created_by(self, server_id: str, channel_id: str) -> str | None:
        """Who scheduled the channel's digest, if known."""
        query = select(subscriptions.c.created_by).where(
            subscriptions.c.platform == PLATFORM,
            subscriptions.c.server_id == server_id,
            subscriptions.c.channel_id == channel_id,
        )
        async with self.storage.engine.connect() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return str(value) if value else None
