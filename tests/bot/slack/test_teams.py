"""slack_teams and subscriptions.created_by on both backends (SQLite; PostgreSQL when set)."""

from __future__ import annotations

from bot.adapters.slack.teams import Team, Teams
from bot.storage import Storage


async def test_teams_are_remembered_and_updated(storage: Storage) -> None:
    """A workspace's org and install kind: stored, changed in place, listed by org."""
    teams = Teams(storage)
    assert await teams.get("T1") is None
    await teams.remember(Team("T1", "E1", False))
    await teams.remember(Team("T2", "E1", True))
    await teams.remember(Team("T3", None, False))
    assert await teams.get("T1") == Team("T1", "E1", False)
    await Teams(storage).remember(Team("T1", "E1", True))  # another process saw it org-wide
    assert await teams.get("T1") == Team("T1", "E1", True)
    assert sorted(await teams.of_enterprise("E1")) == ["T1", "T2"]


async def test_created_by_is_kept_per_subscription(storage: Storage) -> None:
    """Who scheduled a digest: recorded after the schedule, re-recorded by a new schedule."""
    teams = Teams(storage)
    await storage.upsert_subscription("slack", "T1", "C1", time=None, timezone="UTC")
    assert await teams.created_by("T1", "C1") is None
    await teams.set_created_by("T1", "C1", "U1")
    await teams.set_created_by("T1", "C1", "U2")
    assert await teams.created_by("T1", "C1") == "U2"
    assert await teams.created_by("T1", "C2") is None
