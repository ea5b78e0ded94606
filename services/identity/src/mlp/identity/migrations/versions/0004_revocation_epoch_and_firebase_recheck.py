"""users.tokens_valid_after (a per-user revocation epoch); user_sessions.firebase_checked_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("tokens_valid_after", sa.DateTime(timezone=True)), schema="identity")
    op.add_column("user_sessions", sa.Column("firebase_checked_at", sa.DateTime(timezone=True)), schema="identity")


def downgrade() -> None:
    op.drop_column("user_sessions", "firebase_checked_at", schema="identity")
    op.drop_column("users", "tokens_valid_after", schema="identity")
