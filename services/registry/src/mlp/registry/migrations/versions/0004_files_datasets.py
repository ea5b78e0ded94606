"""files and datasets: OpenAI's purposes, dataset versions and rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"
NEW_PURPOSES = (
    "purpose IN ('fine-tune', 'evals', 'batch', 'user_data', 'assistants', 'vision', 'dataset', 'artifact', 'report')"
)
OLD_PURPOSES = "purpose IN ('dataset', 'artifact', 'report')"


def upgrade() -> None:
    op.drop_constraint("ck_files_purpose", "files", schema=S, type_="check")
    op.create_check_constraint("ck_files_purpose", "files", NEW_PURPOSES, schema=S)
    for column in ("file_id", "row_count", "columns", "status", "error"):
        op.drop_column("datasets", column, schema=S)
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("dataset_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_file_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "columns", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column(
            "dialect", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "problems", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('processing', 'ready', 'failed')", name="ck_dataset_versions_status"),
        sa.CheckConstraint("row_count >= 0", name="ck_dataset_versions_row_count_non_negative"),
        sa.CheckConstraint("version >= 1", name="ck_dataset_versions_version_positive"),
        sa.ForeignKeyConstraint(["dataset_id"], [f"{S}.datasets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_file_id"], [f"{S}.files.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
        schema=S,
    )
    op.create_index("ix_dataset_versions_user", "dataset_versions", ["user_id", "created_at"], schema=S)
    op.create_index("ix_dataset_versions_source_file_id", "dataset_versions", ["source_file_id"], schema=S)
    op.create_table(
        "dataset_rows",
        sa.Column("version_id", sa.UUID(), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("cells", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("version_id", "row_number", name="pk_dataset_rows"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("dataset_rows", schema=S)
    op.drop_index("ix_dataset_versions_source_file_id", table_name="dataset_versions", schema=S)
    op.drop_index("ix_dataset_versions_user", table_name="dataset_versions", schema=S)
    op.drop_table("dataset_versions", schema=S)
    op.add_column("datasets", sa.Column("file_id", sa.UUID(), nullable=False), schema=S)
    op.add_column("datasets", sa.Column("row_count", sa.BigInteger(), nullable=True), schema=S)
    op.add_column(
        "datasets",
        sa.Column(
            "columns", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        schema=S,
    )
    op.add_column(
        "datasets", sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False), schema=S
    )
    op.add_column("datasets", sa.Column("error", sa.Text(), nullable=True), schema=S)
    op.create_check_constraint(
        "ck_datasets_status", "datasets", "status IN ('pending', 'processing', 'ready', 'failed')", schema=S
    )
    op.create_check_constraint("ck_datasets_row_count_non_negative", "datasets", "row_count >= 0", schema=S)
    op.create_foreign_key(
        None, "datasets", "files", ["file_id"], ["id"], source_schema=S, referent_schema=S, ondelete="RESTRICT"
    )
    op.create_index("ix_datasets_file_id", "datasets", ["file_id"], schema=S)
    op.execute(f"DELETE FROM {S}.files WHERE NOT ({OLD_PURPOSES})")
    op.drop_constraint("ck_files_purpose", "files", schema=S, type_="check")
    op.create_check_constraint("ck_files_purpose", "files", OLD_PURPOSES, schema=S)
