"""dataset rows in blocks: a database row holds a JSON array of consecutive rows (see
adapters/db/dataset_row_blocks.py); existing rows are regrouped 16 to a block, and back on downgrade.

Revision ID: 0010_dataset_row_blocks
Revises: 0009_tune_dataset_versions
Create Date: 2026-11-26 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_dataset_row_blocks"
down_revision: str | None = "0009_tune_dataset_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"


def upgrade() -> None:
    op.create_table(
        "dataset_row_blocks",
        sa.Column("version_id", sa.UUID(), nullable=False),
        sa.Column("first_row", sa.BigInteger(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version_id", "first_row", name="pk_dataset_row_blocks"),
        schema=S,
    )
    # a block a little over the usual 2 KB threshold stays as it is, neither compressed nor moved out
    op.execute(f"ALTER TABLE {S}.dataset_row_blocks SET (toast_tuple_target = 8160)")
    op.execute(
        f"INSERT INTO {S}.dataset_row_blocks (version_id, first_row, cells)"
        f" SELECT version_id, min(row_number), json_agg(cells ORDER BY row_number) FROM {S}.dataset_rows"
        " GROUP BY version_id, (row_number - 1) / 16"
    )
    op.drop_table("dataset_rows", schema=S)


def downgrade() -> None:
    op.create_table(
        "dataset_rows",
        sa.Column("version_id", sa.UUID(), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version_id", "row_number", name="pk_dataset_rows"),
        schema=S,
    )
    op.execute(
        f"INSERT INTO {S}.dataset_rows (version_id, row_number, cells)"
        f" SELECT b.version_id, b.first_row + r.ordinality - 1, r.value FROM {S}.dataset_row_blocks b,"
        " json_array_elements(b.cells) WITH ORDINALITY AS r"
    )
    op.drop_table("dataset_row_blocks", schema=S)
