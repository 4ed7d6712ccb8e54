"""Digests follow a market: each subscription names the exchange whose sessions it follows.

``subscriptions.market`` is the MIC of the exchange calendar a digest follows (due 30 minutes
after that exchange's close, on its sessions only); ``market_auto`` says it follows the
exchange the server's watchlist shares and changes with it. Existing subscriptions stay on New
York (``XNYS``), not following the watchlist: nothing about them changes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``subscriptions.market`` (``XNYS`` for every existing row) and ``market_auto``."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("market", sa.String(8), nullable=False, server_default="XNYS"))
        batch.add_column(
            sa.Column("market_auto", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop ``subscriptions.market`` and ``market_auto``."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("market_auto")
        batch.drop_column("market")
