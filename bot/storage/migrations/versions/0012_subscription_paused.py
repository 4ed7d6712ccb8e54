"""Subscriptions can be paused (the bot may not post there for now) without being disabled.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``subscriptions.paused_reason`` (NULL: not paused)."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``subscriptions.paused_reason``."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("paused_reason")
