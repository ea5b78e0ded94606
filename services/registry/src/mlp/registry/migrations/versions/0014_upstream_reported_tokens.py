"""the inference log keeps the upstream's own token figures beside the billed ones (counted by the
platform unless the upstream is a trusted provider); nullable columns, so old code keeps writing.

Revision ID: 0014_upstream_reported_tokens
Revises: 0010_dataset_row_blocks
Create Date: 2026-12-08 02:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_upstream_reported_tokens"
down_revision: str | None = "0010_dataset_row_blocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"
COLUMNS = ("upstream_prompt_tokens", "upstream_completion_tokens")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for column in COLUMNS:
        op.add_column("inference_requests", sa.Column(column, sa.Integer()), schema=S)
        # NOT VALID: no scan of the existing rows under the lock (they hold NULL there anyway)
        op.execute(
            f"ALTER TABLE {S}.inference_requests ADD CONSTRAINT ck_inference_requests_{column}_non_negative"
            f" CHECK ({column} >= 0) NOT VALID"
        )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for column in COLUMNS:
        op.drop_column("inference_requests", column, schema=S)
