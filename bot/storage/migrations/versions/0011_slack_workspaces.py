"""Slack for real workspaces: who scheduled a digest, and which Grid org a workspace is in.

``subscriptions.created_by`` is the user who scheduled the digest (the Slack adapter tells that
admin when the digest stops). ``slack_teams`` remembers, per Slack workspace, its Enterprise Grid
org and whether the app was installed org-wide, as seen on the workspace's requests: digests
find the workspace's installation with it the way bolt's authorize does.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("created_by", sa.String(64), nullable=True))
    op.create_table(
        "slack_teams",
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("enterprise_id", sa.String(64), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name="pk_slack_teams"),
    )
    op.create_index("ix_slack_teams_enterprise_id", "slack_teams", ["enterprise_id"])


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_index("ix_slack_teams_enterprise_id", table_name="slack_teams")
    op.drop_table("slack_teams")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("created_by")
