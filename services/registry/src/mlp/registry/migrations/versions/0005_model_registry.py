"""model registry: key/value tags, version counter, version sources, alias history

Revision ID: 0004_model_registry
Revises: 0004
Create Date: 2026-11-26 15:10:48.608957
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_model_registry"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_OBJECT = sa.text("'{}'::jsonb")


def upgrade() -> None:
    op.create_table(
        "model_alias_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("model_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("version_id", sa.UUID(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["registry.models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="registry",
    )
    op.create_index(
        "ix_model_alias_events_alias_time",
        "model_alias_events",
        ["model_id", "alias", "changed_at"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        "ix_model_alias_events_user", "model_alias_events", ["user_id", "changed_at"], unique=False, schema="registry"
    )
    op.add_column("model_versions", sa.Column("artifact_file_id", sa.UUID(), nullable=True), schema="registry")
    op.add_column(
        "model_versions",
        sa.Column("source_kind", sa.Text(), server_default=sa.text("'upload'"), nullable=False),
        schema="registry",
    )
    op.add_column("model_versions", sa.Column("source_run_uri", sa.Text(), nullable=True), schema="registry")
    op.add_column("model_versions", sa.Column("run_id", sa.Text(), nullable=True), schema="registry")
    op.add_column("model_versions", sa.Column("status_message", sa.Text(), nullable=True), schema="registry")
    op.add_column(
        "model_versions",
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), server_default=EMPTY_OBJECT, nullable=False),
        schema="registry",
    )
    op.create_check_constraint(
        "ck_model_versions_source_kind",
        "model_versions",
        "source_kind IN ('upload', 'tune_job', 'run')",
        schema="registry",
    )
    op.create_check_constraint(
        "ck_model_versions_one_artifact",
        "model_versions",
        "num_nonnulls(artifact_uri, artifact_file_id) <= 1",
        schema="registry",
    )
    op.add_column(
        "models",
        sa.Column("last_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="registry",
    )
    op.create_check_constraint("ck_models_last_version_non_negative", "models", "last_version >= 0", schema="registry")
    # Tags become key/value: the seed's text[] column held no data yet, so it is replaced, not converted.
    op.drop_index("ix_models_tags", table_name="models", schema="registry", postgresql_using="gin")
    op.drop_column("models", "tags", schema="registry")
    op.add_column(
        "models",
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), server_default=EMPTY_OBJECT, nullable=False),
        schema="registry",
    )
    op.create_index(
        "ix_models_tags",
        "models",
        ["tags"],
        unique=False,
        schema="registry",
        postgresql_using="gin",
        postgresql_ops={"tags": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_models_tags", table_name="models", schema="registry", postgresql_using="gin")
    op.drop_column("models", "tags", schema="registry")
    op.add_column(
        "models",
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        schema="registry",
    )
    op.create_index("ix_models_tags", "models", ["tags"], unique=False, schema="registry", postgresql_using="gin")
    op.drop_constraint("ck_models_last_version_non_negative", "models", schema="registry", type_="check")
    op.drop_column("models", "last_version", schema="registry")
    op.drop_constraint("ck_model_versions_one_artifact", "model_versions", schema="registry", type_="check")
    op.drop_constraint("ck_model_versions_source_kind", "model_versions", schema="registry", type_="check")
    op.drop_column("model_versions", "tags", schema="registry")
    op.drop_column("model_versions", "status_message", schema="registry")
    op.drop_column("model_versions", "run_id", schema="registry")
    op.drop_column("model_versions", "source_run_uri", schema="registry")
    op.drop_column("model_versions", "source_kind", schema="registry")
    op.drop_column("model_versions", "artifact_file_id", schema="registry")
    op.drop_index("ix_model_alias_events_user", table_name="model_alias_events", schema="registry")
    op.drop_index("ix_model_alias_events_alias_time", table_name="model_alias_events", schema="registry")
    op.drop_table("model_alias_events", schema="registry")
