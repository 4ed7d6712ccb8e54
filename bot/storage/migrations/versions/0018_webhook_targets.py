"""Webhook targets (issue 24): ``webhook_targets`` and the platform ``webhook``.

Each target is a server, a digest subscription and its alerts under the platform ``webhook``
(``server_id`` ``<kind>-<id>``), so the ledger serves it unchanged; ``webhook_targets`` holds
what only a webhook has: its kind, URL and signing secret (credentials), language setting
(``auto`` included), market and why it is paused.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here (not imported) so this revision keeps meaning what it meant when written.
_OLD_PLATFORM = "platform IN ('discord', 'slack', 'terminal')"
_PLATFORM = "platform IN ('discord', 'slack', 'terminal', 'webhook')"
_TABLES = ("servers", "subscriptions", "alerts")


def _platform_check(check: str) -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"ck_{table}_platform", type_="check")
            batch.create_check_constraint(f"ck_{table}_platform", check)


def upgrade() -> None:
    """Allow the platform ``webhook``; create ``webhook_targets``."""
    _platform_check(_PLATFORM)
    op.create_table(
        "webhook_targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("market", sa.String(16), nullable=True),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_targets"),
    )


def downgrade() -> None:
    """Drop webhook targets and everything stored under the platform ``webhook``."""
    op.drop_table("webhook_targets")
    for table in ("alerts", "subscriptions", "servers"):
        rows = sa.table(table, sa.column("platform", sa.String(16)))
        op.execute(rows.delete().where(rows.c.platform == "webhook"))
    _platform_check(_OLD_PLATFORM)
