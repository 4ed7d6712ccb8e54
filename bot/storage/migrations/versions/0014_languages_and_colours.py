"""Traditional Chinese language settings and the per-server colour convention.

``language`` columns widen to 16 characters and accept ``zh-hant`` and ``both-hant``;
``servers.colors`` (``green-up`` / ``red-up``, NULL = the default of the server's language) is new.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here (not imported) so this revision keeps meaning what it meant when written.
_OLD_LANGUAGE = "language IN ('en', 'zh', 'both')"
_LANGUAGE = "language IN ('en', 'zh', 'zh-hant', 'both', 'both-hant')"
_COLOURS = "colors IN ('green-up', 'red-up')"


def _language_column(table: str, check: str, old: int, new: int) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"ck_{table}_language", type_="check")
        batch.alter_column(
            "language", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True
        )
        batch.create_check_constraint(f"ck_{table}_language", check)


def upgrade() -> None:
    """Upgrade the schema."""
    for table in ("servers", "subscriptions"):
        _language_column(table, _LANGUAGE, 8, 16)
    with op.batch_alter_table("servers") as batch:
        batch.add_column(sa.Column("colors", sa.String(16), nullable=True))
        batch.create_check_constraint("ck_servers_colors", _COLOURS)


def downgrade() -> None:
    """Downgrade the schema (Traditional settings fall back to their Simplified twins)."""
    for table in ("servers", "subscriptions"):
        rows = sa.table(table, sa.column("language", sa.String(16)))
        simplified = sa.case(
            {"zh-hant": "zh", "both-hant": "both"}, value=rows.c.language, else_=rows.c.language
        )
        op.execute(rows.update().values(language=simplified))
    with op.batch_alter_table("servers") as batch:
        batch.drop_constraint("ck_servers_colors", type_="check")
        batch.drop_column("colors")
    for table in ("servers", "subscriptions"):
        _language_column(table, _OLD_LANGUAGE, 16, 8)
