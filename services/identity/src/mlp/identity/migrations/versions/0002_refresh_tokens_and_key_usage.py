"""sessions refresh tokens and api key usage

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:00:05.903579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key_usage",
        sa.Column("api_key_id", sa.UUID(), nullable=False),
        sa.Column("window_kind", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("window_kind IN ('minute', 'month')", name="ck_api_key_usage_window_kind"),
        sa.ForeignKeyConstraint(["api_key_id"], ["identity.api_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_key_id", "window_kind", "window_start"),
        schema="identity",
    )
    op.add_column("user_sessions", sa.Column("refresh_token_hash", sa.LargeBinary(), nullable=True), schema="identity")
    op.create_index(
        "uq_user_sessions_refresh_token_hash", "user_sessions", ["refresh_token_hash"], unique=True, schema="identity"
    )


def downgrade() -> None:
    op.drop_index("uq_user_sessions_refresh_token_hash", table_name="user_sessions", schema="identity")
    op.drop_column("user_sessions", "refresh_token_hash", schema="identity")
    op.drop_table("api_key_usage", schema="identity")
