"""runs pin a dataset version and snapshot their criteria; results per row number; OpenAI-style evals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:11:29.879676

The seed's eval_runs and eval_row_results never held data (no use case wrote them), so they are
rebuilt rather than altered column by column; downgrading rebuilds the seed's shape.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "evaluation"
NEW_KINDS = "'exact_match', 'contains', 'not_contains', 'regex', 'json_valid', 'json_schema', 'numeric_tolerance', 'text_similarity', 'llm_judge'"
OLD_KINDS = "'exact_match', 'regex', 'contains', 'llm_judge', 'numeric_tolerance'"


def _jsonb_default() -> sa.TextClause:
    return sa.text("'{}'::jsonb")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=_jsonb_default(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _kinds(allowed: str) -> None:
    op.drop_constraint("ck_criterion_definitions_kind", "criterion_definitions", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        "ck_criterion_definitions_kind", "criterion_definitions", f"kind IN ({allowed})", schema=SCHEMA
    )


def upgrade() -> None:
    _kinds(NEW_KINDS)
    op.drop_table("eval_row_results", schema=SCHEMA)
    op.drop_table("eval_runs", schema=SCHEMA)
    op.create_table(
        "evals",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("data_source_config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("testing_criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("criterion_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index("ix_evals_user", "evals", ["user_id", "created_at"], unique=False, schema=SCHEMA)
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("eval_id", sa.UUID(), nullable=True),
        sa.Column("model_version_id", sa.UUID(), nullable=True),
        sa.Column("deployment_id", sa.UUID(), nullable=True),
        sa.Column("dataset_id", sa.UUID(), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=False),
        sa.Column("data_kind", sa.Text(), server_default=sa.text("'dataset'"), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("deployment", sa.Text(), nullable=True),
        sa.Column("prompt_template", sa.Text(), nullable=True),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("predictions_column", sa.Text(), nullable=True),
        sa.Column("max_tokens", sa.Integer(), nullable=True),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("criterion_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'queued'"), nullable=False),
        sa.Column("total_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completed_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("failed_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "aggregates", postgresql.JSONB(astext_type=sa.Text()), server_default=_jsonb_default(), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="ck_eval_runs_status"
        ),
        sa.CheckConstraint("source IN ('deployment', 'predictions')", name="ck_eval_runs_source"),
        sa.CheckConstraint("data_kind IN ('dataset', 'file')", name="ck_eval_runs_data_kind"),
        sa.CheckConstraint("attempts >= 0", name="ck_eval_runs_attempts_non_negative"),
        sa.CheckConstraint("dataset_version >= 0", name="ck_eval_runs_dataset_version_non_negative"),
        sa.CheckConstraint("cardinality(criterion_ids) >= 1", name="ck_eval_runs_criterion_ids_not_empty"),
        sa.CheckConstraint("completed_rows + failed_rows <= total_rows", name="ck_eval_runs_rows_within_total"),
        sa.CheckConstraint("completed_rows >= 0", name="ck_eval_runs_completed_rows_non_negative"),
        sa.CheckConstraint("failed_rows >= 0", name="ck_eval_runs_failed_rows_non_negative"),
        sa.CheckConstraint("total_rows >= 0", name="ck_eval_runs_total_rows_non_negative"),
        sa.ForeignKeyConstraint(
            ["eval_id"], ["evaluation.evals.id"], name="eval_runs_eval_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index("ix_eval_runs_user", "eval_runs", ["user_id", "created_at"], unique=False, schema=SCHEMA)
    op.create_index(
        "ix_eval_runs_user_model_version",
        "eval_runs",
        ["user_id", "model_version_id", "created_at"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_index(
        "ix_eval_runs_user_dataset", "eval_runs", ["user_id", "dataset_id", "created_at"], unique=False, schema=SCHEMA
    )
    op.create_index("ix_eval_runs_eval", "eval_runs", ["eval_id", "created_at"], unique=False, schema=SCHEMA)
    op.create_index(
        "ix_eval_runs_unfinished",
        "eval_runs",
        ["heartbeat_at"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_table(
        "eval_row_results",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("verdicts", postgresql.JSONB(astext_type=sa.Text()), server_default=_jsonb_default(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("judge_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_type", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("latency_ms >= 0", name="ck_eval_row_results_latency_ms_non_negative"),
        sa.CheckConstraint("prompt_tokens >= 0", name="ck_eval_row_results_prompt_tokens_non_negative"),
        sa.CheckConstraint("completion_tokens >= 0", name="ck_eval_row_results_completion_tokens_non_negative"),
        sa.CheckConstraint("judge_tokens >= 0", name="ck_eval_row_results_judge_tokens_non_negative"),
        sa.CheckConstraint("row_number >= 1", name="ck_eval_row_results_row_number_positive"),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation.eval_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "row_number", name="uq_eval_row_results_run_row"),
        schema=SCHEMA,
    )
    op.create_index("ix_eval_row_results_user", "eval_row_results", ["user_id"], unique=False, schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("eval_row_results", schema=SCHEMA)
    op.drop_table("eval_runs", schema=SCHEMA)
    op.drop_table("evals", schema=SCHEMA)
    op.execute(f"DELETE FROM {SCHEMA}.criterion_definitions WHERE kind NOT IN ({OLD_KINDS})")
    _kinds(OLD_KINDS)
    _seed_runs_and_results()


def _seed_runs_and_results() -> None:
    """The seed's (0001) eval_runs and eval_row_results, as they were."""
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("model_version_id", sa.UUID(), nullable=False),
        sa.Column("deployment_id", sa.UUID(), nullable=True),
        sa.Column("dataset_id", sa.UUID(), nullable=False),
        sa.Column("criterion_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'queued'"), nullable=False),
        sa.Column("total_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completed_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("failed_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "aggregates", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="ck_eval_runs_status"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_eval_runs_attempts_non_negative"),
        sa.CheckConstraint("cardinality(criterion_ids) >= 1", name="ck_eval_runs_criterion_ids_not_empty"),
        sa.CheckConstraint("completed_rows + failed_rows <= total_rows", name="ck_eval_runs_rows_within_total"),
        sa.CheckConstraint("completed_rows >= 0", name="ck_eval_runs_completed_rows_non_negative"),
        sa.CheckConstraint("failed_rows >= 0", name="ck_eval_runs_failed_rows_non_negative"),
        sa.CheckConstraint("total_rows >= 0", name="ck_eval_runs_total_rows_non_negative"),
        sa.PrimaryKeyConstraint("id"),
        schema="evaluation",
    )
    op.create_index(
        "ix_eval_runs_unfinished",
        "eval_runs",
        ["heartbeat_at"],
        unique=False,
        schema="evaluation",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_index("ix_eval_runs_user", "eval_runs", ["user_id", "created_at"], unique=False, schema="evaluation")
    op.create_index(
        "ix_eval_runs_user_dataset",
        "eval_runs",
        ["user_id", "dataset_id", "created_at"],
        unique=False,
        schema="evaluation",
    )
    op.create_index(
        "ix_eval_runs_user_model_version",
        "eval_runs",
        ["user_id", "model_version_id", "created_at"],
        unique=False,
        schema="evaluation",
    )
    op.create_table(
        "eval_row_results",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column(
            "scores", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("latency_ms >= 0", name="ck_eval_row_results_latency_ms_non_negative"),
        sa.CheckConstraint("row_index >= 0", name="ck_eval_row_results_row_index_non_negative"),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation.eval_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "row_index", name="uq_eval_row_results_run_row"),
        schema="evaluation",
    )
    op.create_index("ix_eval_row_results_user", "eval_row_results", ["user_id"], unique=False, schema="evaluation")
