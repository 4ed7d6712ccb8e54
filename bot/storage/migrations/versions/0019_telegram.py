"""Telegram chats: ``telegram`` is a platform, and an alert can be paused like a subscription.

The ``platform`` checks of ``servers``, ``subscriptions`` and ``alerts`` accept ``telegram``;
``alerts.paused_reason`` (NULL: posting works) holds why the bot may not post an alert's chat
for now (the bot was blocked or removed: resumed when it is added back).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here (not imported) so this revision keeps meaning what it meant when written.
_OLD_PLATFORM = "platform IN ('discord', 'slack', 'terminal', 'webhook')"
_PLATFORM = "platform IN ('discord', 'slack', 'telegram', 'terminal', 'webhook')"
_TABLES = ("servers", "subscriptions", "alerts")


def _platform_check(table: str, check: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"ck_{table}_platform", type_="check")
        batch.create_check_constraint(f"ck_{table}_platform", check)


def upgrade() -> None:
    """Accept ``telegram``; add ``alerts.paused_reason``."""
    for table in _TABLES:
        _platform_check(table, _PLATFORM)
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``alerts.paused_reason`` and every Telegram row (the older schema cannot hold them:
    a server's subscriptions and alerts go with it)."""
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("paused_reason")
    for table in ("alerts", "subscriptions", "servers"):
        rows = sa.table(table, sa.column("platform", sa.String(16)))
        op.execute(rows.delete().where(rows.c.platform == "telegram"))
    for table in _TABLES:
        _platform_check(table, _OLD_PLATFORM)
