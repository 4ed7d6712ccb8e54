"""Initial schema: servers, subscriptions, deliveries, signal history, bars cache, app state.

Revision ID: 0001
Revises:
Create Date: 2026-06-08
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLATFORM = "platform IN ('discord', 'slack', 'terminal')"
_LANGUAGE = "language IN ('en', 'zh', 'both')"
_MEASURES = ("close", "r_1d", "r_5d", "r_1m", "sigma", "fast", "slow")


def _stamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "servers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("server_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("watchlist", sa.Text(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_servers"),
        sa.UniqueConstraint("platform", "server_id", name="uq_servers_platform"),
        sa.CheckConstraint(_PLATFORM, name="ck_servers_platform"),
        sa.CheckConstraint(_LANGUAGE, name="ck_servers_language"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("server_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("schedule_time", sa.String(5), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint(
            "platform", "server_id", "channel_id", name="uq_subscriptions_platform"
        ),
        sa.ForeignKeyConstraint(
            ["platform", "server_id"],
            ["servers.platform", "servers.server_id"],
            name="fk_subscriptions_server",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_PLATFORM, name="ck_subscriptions_platform"),
        sa.CheckConstraint(_LANGUAGE, name="ck_subscriptions_language"),
    )
    op.create_table(
        "deliveries",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_ids", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        _stamp("claimed_at"),
        _stamp("sent_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("subscription_id", "session", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_deliveries_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("state IN ('claimed', 'sent', 'failed')", name="ck_deliveries_state"),
    )
    op.create_table(
        "signal_history",
        sa.Column("ticker", sa.String(32), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("regime", sa.String(32), nullable=False),
        *(sa.Column(n, sa.Double(), nullable=False) for n in _MEASURES),
        _stamp("recorded_at"),
        sa.PrimaryKeyConstraint("ticker", "session", name="pk_signal_history"),
    )
    op.create_table(
        "price_bars",
        sa.Column("ticker", sa.String(32), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _stamp("fetched_at"),
        sa.PrimaryKeyConstraint("ticker", "session", name="pk_price_bars"),
    )
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_app_state"),
    )


def downgrade() -> None:
    """Revert the schema."""
    for table in (
        "app_state",
        "price_bars",
        "signal_history",
        "deliveries",
        "subscriptions",
        "servers",
    ):
        op.drop_table(table)
