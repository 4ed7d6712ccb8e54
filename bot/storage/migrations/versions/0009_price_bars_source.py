"""Bars cache keyed by source: a ``source`` column in the primary key of ``price_bars``.

Bars belong to the source that fetched them (``yfinance``, ``tiingo``, ``csv:<dir>``, ``demo``).
The old rows do not say which source they came from, so they are dropped: it is only a cache,
refilled on the next request.

Revision ID: 0009
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(with_source: bool) -> None:
    keys = ("source", "ticker", "session") if with_source else ("ticker", "session")
    columns = [sa.Column("source", sa.String(512), nullable=False)] if with_source else []
    op.create_table(
        "price_bars",
        *columns,
        sa.Column("ticker", sa.String(32), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name="pk_price_bars"),
    )


def upgrade() -> None:
    """Recreate ``price_bars`` with the source in its key (cached rows without one are dropped)."""
    op.drop_table("price_bars")
    _create(with_source=True)


def downgrade() -> None:
    """Back to bars keyed by ticker and session (the cache is emptied again)."""
    op.drop_table("price_bars")
    _create(with_source=False)
