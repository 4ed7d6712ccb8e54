"""Alert claims carry a lease, like digest parts (``alert_deliveries.claimed_until``).

An alert claim held by a process that died is taken over once its lease ends, as the digest
ledger does (0010), instead of after a fixed stale window; a claim without a lease (made before
this revision) may be taken over at once by another instance.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``alert_deliveries.claimed_until`` (NULL: no lease running)."""
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop ``alert_deliveries.claimed_until``."""
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_column("claimed_until")
