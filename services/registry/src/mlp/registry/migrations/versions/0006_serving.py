"""serving: deployments (kind, encrypted upstream credential, timeouts, probe status), their
revision history, and the inference log with the version that served each call.

The seed's ``deployments`` and ``inference_requests`` were placeholders nothing wrote to; they are
replaced rather than altered, and the downgrade puts the placeholders back.

Revision ID: 0005_serving
Revises: 0004_model_registry
Create Date: 2026-11-26 15:11:14.920131
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_serving"
down_revision: str | None = "0004_model_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("inference_requests", schema="registry")
    op.drop_table("deployments", schema="registry")
    op.create_table(
        "inference_requests",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("deployment_id", sa.UUID(), nullable=False),
        sa.Column("model_version_id", sa.UUID(), nullable=False),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("stream", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("upstream_latency_ms", sa.Float(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "endpoint IN ('chat.completions', 'completions', 'embeddings', 'predict')",
            name="ck_inference_requests_endpoint",
        ),
        sa.CheckConstraint("completion_tokens >= 0", name="ck_inference_requests_completion_tokens_non_negative"),
        sa.CheckConstraint("latency_ms >= 0", name="ck_inference_requests_latency_ms_non_negative"),
        sa.CheckConstraint("prompt_tokens >= 0", name="ck_inference_requests_prompt_tokens_non_negative"),
        sa.CheckConstraint("status_code BETWEEN 100 AND 599", name="ck_inference_requests_status_code"),
        sa.CheckConstraint("upstream_latency_ms >= 0", name="ck_inference_requests_upstream_latency_ms_non_negative"),
        sa.PrimaryKeyConstraint("id"),
        schema="registry",
    )
    op.create_index(
        "ix_inference_requests_deployment",
        "inference_requests",
        ["deployment_id", "created_at"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        "ix_inference_requests_user",
        "inference_requests",
        ["user_id", "created_at", "id"],
        unique=False,
        schema="registry",
    )
    op.create_table(
        "deployments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("model_id", sa.UUID(), nullable=False),
        sa.Column("model_version_id", sa.UUID(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("upstream_url", sa.Text(), nullable=False),
        sa.Column("credential_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("connect_timeout_seconds", sa.Float(), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("status_detail", sa.Text(), nullable=True),
        sa.Column("last_probed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('openai-chat', 'openai-completions', 'openai-embeddings', 'http-json')",
            name="ck_deployments_kind",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'degraded', 'failed', 'stopped')", name="ck_deployments_status"
        ),
        sa.CheckConstraint(
            "connect_timeout_seconds > 0 AND timeout_seconds > 0", name="ck_deployments_timeouts_positive"
        ),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 128", name="ck_deployments_name_length"),
        sa.ForeignKeyConstraint(["model_id"], ["registry.models.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["model_version_id"], ["registry.model_versions.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        schema="registry",
    )
    op.create_index(
        "ix_deployments_live",
        "deployments",
        ["last_probed_at"],
        unique=False,
        schema="registry",
        postgresql_where=sa.text("deleted_at IS NULL AND status <> 'stopped'"),
    )
    op.create_index("ix_deployments_model_id", "deployments", ["model_id"], unique=False, schema="registry")
    op.create_index(
        "ix_deployments_model_version_id", "deployments", ["model_version_id"], unique=False, schema="registry"
    )
    op.create_index("ix_deployments_user", "deployments", ["user_id", "created_at"], unique=False, schema="registry")
    op.create_index(
        "uq_deployments_user_name",
        "deployments",
        ["user_id", "name"],
        unique=True,
        schema="registry",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "deployment_revisions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("deployment_id", sa.UUID(), nullable=False),
        sa.Column("model_version_id", sa.UUID(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_deployment_revisions_interval"),
        sa.ForeignKeyConstraint(["deployment_id"], ["registry.deployments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="registry",
    )
    op.create_index(
        "ix_deployment_revisions_deployment",
        "deployment_revisions",
        ["deployment_id", "valid_from"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        "ix_deployment_revisions_user", "deployment_revisions", ["user_id"], unique=False, schema="registry"
    )
    op.create_index(
        "uq_deployment_revisions_open",
        "deployment_revisions",
        ["deployment_id"],
        unique=True,
        schema="registry",
        postgresql_where=sa.text("valid_to IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_deployment_revisions_open",
        table_name="deployment_revisions",
        schema="registry",
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_index("ix_deployment_revisions_user", table_name="deployment_revisions", schema="registry")
    op.drop_index("ix_deployment_revisions_deployment", table_name="deployment_revisions", schema="registry")
    op.drop_table("deployment_revisions", schema="registry")
    op.drop_index(
        "uq_deployments_user_name",
        table_name="deployments",
        schema="registry",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_deployments_user", table_name="deployments", schema="registry")
    op.drop_index("ix_deployments_model_version_id", table_name="deployments", schema="registry")
    op.drop_index("ix_deployments_model_id", table_name="deployments", schema="registry")
    op.drop_index(
        "ix_deployments_live",
        table_name="deployments",
        schema="registry",
        postgresql_where=sa.text("deleted_at IS NULL AND status <> 'stopped'"),
    )
    op.drop_table("deployments", schema="registry")
    op.drop_index("ix_inference_requests_user", table_name="inference_requests", schema="registry")
    op.drop_index("ix_inference_requests_deployment", table_name="inference_requests", schema="registry")
    op.drop_table("inference_requests", schema="registry")
    op.create_table(
        "deployments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("model_version_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("upstream_url", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'provisioning'"), nullable=False),
        sa.Column(
            "config", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'", name="ck_deployments_slug_format"),
        sa.CheckConstraint(
            "status IN ('provisioning', 'active', 'paused', 'failed', 'stopped')", name="ck_deployments_status"
        ),
        sa.ForeignKeyConstraint(["model_version_id"], ["registry.model_versions.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
        schema="registry",
    )
    op.create_index(
        "ix_deployments_model_version_id", "deployments", ["model_version_id"], unique=False, schema="registry"
    )
    op.create_index("ix_deployments_user", "deployments", ["user_id", "created_at"], unique=False, schema="registry")
    op.create_index(
        "uq_deployments_user_name",
        "deployments",
        ["user_id", "name"],
        unique=True,
        schema="registry",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "inference_requests",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("deployment_id", sa.UUID(), nullable=False),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("stream", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=True),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("completion_tokens >= 0", name="ck_inference_requests_completion_tokens_non_negative"),
        sa.CheckConstraint("latency_ms >= 0", name="ck_inference_requests_latency_ms_non_negative"),
        sa.CheckConstraint("prompt_tokens >= 0", name="ck_inference_requests_prompt_tokens_non_negative"),
        sa.CheckConstraint("status_code BETWEEN 100 AND 599", name="ck_inference_requests_status_code"),
        sa.ForeignKeyConstraint(["deployment_id"], ["registry.deployments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
        schema="registry",
    )
    op.create_index(
        "ix_inference_requests_deployment",
        "inference_requests",
        ["deployment_id", "created_at"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        "ix_inference_requests_user", "inference_requests", ["user_id", "created_at"], unique=False, schema="registry"
    )
