"""Feishu/Lark app credentials on a webhook target: ``app_id`` and ``app_secret``.

A custom bot shows only images uploaded with an app's credentials (an ``image_key``); a target
given them (``webhook add --app-id --app-secret``) gets the digest's chart in its card. Both are
credentials, stored like ``url`` and ``secret`` (never logged nor shown); NULL: no app.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``webhook_targets.app_id`` and ``app_secret`` (NULL: no app)."""
    with op.batch_alter_table("webhook_targets") as batch:
        batch.add_column(sa.Column("app_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("app_secret", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the app credentials (targets post their cards without the chart again)."""
    with op.batch_alter_table("webhook_targets") as batch:
        batch.drop_column("app_secret")
        batch.drop_column("app_id")
