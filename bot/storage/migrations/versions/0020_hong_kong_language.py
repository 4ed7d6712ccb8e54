"""Hong Kong Chinese language settings: ``language`` columns accept ``zh-hk`` and ``both-hk``.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here (not imported) so this revision keeps meaning what it meant when written.
_OLD_LANGUAGE = "language IN ('en', 'zh', 'zh-hant', 'both', 'both-hant')"
_LANGUAGE = "language IN ('en', 'zh', 'zh-hant', 'zh-hk', 'both', 'both-hant', 'both-hk')"


def _language_check(table: str, check: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"ck_{table}_language", type_="check")
        batch.create_check_constraint(f"ck_{table}_language", check)


def upgrade() -> None:
    """Accept the Hong Kong settings in ``servers`` and ``subscriptions``."""
    for table in ("servers", "subscriptions"):
        _language_check(table, _LANGUAGE)


def downgrade() -> None:
    """Back to the Taiwan settings (Hong Kong settings fall back to their Taiwan twins)."""
    for table in ("servers", "subscriptions"):
        rows = sa.table(table, sa.column("language", sa.String(16)))
        taiwan = sa.case(
            {"zh-hk": "zh-hant", "both-hk": "both-hant"},
            value=rows.c.language,
            else_=rows.c.language,
        )
        op.execute(rows.update().values(language=taiwan))
        _language_check(table, _OLD_LANGUAGE)
