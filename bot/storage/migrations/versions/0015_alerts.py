"""Regime alerts and their exactly-once ledger (issue 15).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("server_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(80), nullable=False),
        sa.Column("ticker", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint(
            "platform", "server_id", "channel_id", "ticker", name="uq_alerts_target"
        ),
        sa.ForeignKeyConstraint(
            ["platform", "server_id"],
            ["servers.platform", "servers.server_id"],
            name="fk_alerts_server",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "platform IN ('discord', 'slack', 'terminal')", name="ck_alerts_platform"
        ),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_ids", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("alert_id", "session", name="pk_alert_deliveries"),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name="fk_alert_deliveries_alert_id_alerts",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "state IN ('claimed', 'sent', 'failed')", name="ck_alert_deliveries_state"
        ),
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
