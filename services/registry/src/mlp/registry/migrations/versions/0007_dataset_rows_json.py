"""dataset rows: cells as json (stored as sent by COPY) rather than jsonb

Revision ID: 0006_dataset_rows_json
Revises: 0005_serving
Create Date: 2026-11-26 16:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_dataset_rows_json"
down_revision: str | None = "0005_serving"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE registry.dataset_rows ALTER COLUMN cells TYPE json USING cells::json")


def downgrade() -> None:
    op.execute("ALTER TABLE registry.dataset_rows ALTER COLUMN cells TYPE jsonb USING cells::jsonb")
