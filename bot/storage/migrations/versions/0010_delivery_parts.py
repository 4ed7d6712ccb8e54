"""Deliveries per part, claimed by a process instance under a lease (``claimed_until``).

The ledger row of a digest becomes one row per message ("part"), so a digest whose part 2 failed
sends only part 2 again. ``claimed_by`` holds a random per-process instance id and
``claimed_until`` the end of the claim's lease (renewed by the holder's heartbeat), so a claim
whose holder died is taken over once its lease ends, whatever its pid and host were. ``parts``
is how many messages the digest has (known once it is built). Existing rows become part 1.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "deliveries_0001"
_COMMON = "subscription_id, session, state, attempts, message_ids, claimed_by, claimed_at, "
_COMMON += "sent_at, error"


def _stamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _create(*, parts: bool) -> None:
    extra: list[sa.Column[int] | sa.Column[datetime]] = []
    keys = ["subscription_id", "session"]
    if parts:
        extra = [
            sa.Column("part", sa.Integer(), server_default="1", nullable=False),
            sa.Column("parts", sa.Integer(), nullable=True),
            _stamp("claimed_until", nullable=True),
        ]
        keys.append("part")
    op.create_table(
        "deliveries",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        *extra,
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_ids", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        _stamp("claimed_at"),
        _stamp("sent_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint(*keys, name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_deliveries_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("state IN ('claimed', 'sent', 'failed')", name="ck_deliveries_state"),
    )


def _move_aside() -> None:
    op.rename_table("deliveries", _OLD)
    if op.get_bind().dialect.name == "postgresql":  # index names are per schema there
        op.execute(f"ALTER TABLE {_OLD} RENAME CONSTRAINT pk_deliveries TO pk_{_OLD}")


def _copy(into: str, values: str, where: str) -> None:
    """Copy the rows aside back into ``deliveries`` (every piece is a constant of this file)."""
    op.execute(f"INSERT INTO deliveries ({into}) SELECT {values} FROM {_OLD}{where}")  # noqa: S608


def upgrade() -> None:
    """Upgrade the schema: one row per part; existing rows become part 1."""
    _move_aside()
    _create(parts=True)
    op.execute(
        f"INSERT INTO deliveries ({_COMMON}, part, parts) SELECT {_COMMON}, 1, 1 FROM {_OLD}"  # noqa: S608
    )
    op.drop_table(_OLD)


def downgrade() -> None:
    """Downgrade the schema: only part 1 of each delivery is kept."""
    _move_aside()
    _create(parts=False)
    _copy(_COMMON, _COMMON, " WHERE part = 1")
    op.drop_table(_OLD)
