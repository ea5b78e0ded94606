"""tune jobs: OpenAI-compatible fields (status validating_files, model as named, suffix, files,
fine-tuned model, trained tokens; dataset_id null for a JSONL training file) and their events.

Revision ID: 0008_tune_jobs
Revises: 0006_dataset_rows_json
Create Date: 2026-11-26 17:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_tune_jobs"
down_revision: str | None = "0006_dataset_rows_json"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COLUMNS = ("model", "suffix", "training_file", "validation_file", "fine_tuned_model")


def upgrade() -> None:
    for name in NEW_COLUMNS:
        op.add_column("tune_jobs", sa.Column(name, sa.Text(), nullable=True), schema="registry")
    op.add_column("tune_jobs", sa.Column("trained_tokens", sa.Integer(), nullable=True), schema="registry")
    op.alter_column("tune_jobs", "dataset_id", nullable=True, schema="registry")
    op.drop_constraint("ck_tune_jobs_status", "tune_jobs", schema="registry", type_="check")
    op.create_check_constraint(
        "ck_tune_jobs_status",
        "tune_jobs",
        "status IN ('validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled')",
        schema="registry",
    )
    op.create_table(
        "tune_job_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.CheckConstraint("level IN ('info', 'warn', 'error')", name="ck_tune_job_events_level"),
        sa.ForeignKeyConstraint(["job_id"], ["registry.tune_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="registry",
    )
    op.create_index("ix_tune_job_events_job", "tune_job_events", ["job_id", "created_at"], schema="registry")
    op.create_index("ix_tune_job_events_user", "tune_job_events", ["user_id", "created_at"], schema="registry")


def downgrade() -> None:
    op.drop_index("ix_tune_job_events_user", table_name="tune_job_events", schema="registry")
    op.drop_index("ix_tune_job_events_job", table_name="tune_job_events", schema="registry")
    op.drop_table("tune_job_events", schema="registry")
    op.execute("DELETE FROM registry.tune_jobs WHERE status = 'validating_files' OR dataset_id IS NULL")
    op.alter_column("tune_jobs", "dataset_id", nullable=False, schema="registry")
    op.drop_constraint("ck_tune_jobs_status", "tune_jobs", schema="registry", type_="check")
    op.create_check_constraint(
        "ck_tune_jobs_status",
        "tune_jobs",
        "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
        schema="registry",
    )
    op.drop_column("tune_jobs", "trained_tokens", schema="registry")
    for name in reversed(NEW_COLUMNS):
        op.drop_column("tune_jobs", name, schema="registry")
