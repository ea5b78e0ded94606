"""serving: the model id a deployment asks its upstream for (and each revision served), filled in
from the version's artifact URI where that names a model (the others keep forwarding the request's
``model`` until given one); a deployment's fallbacks; the attempt each inference log row records.

Revision ID: 0011_serving_models
Revises: 0010_dataset_row_blocks
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_serving_models"
down_revision: str | None = "0010_dataset_row_blocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"
# an artifact URI naming a location (s3://, runs:/, ...) is not a model id (domain.deployments.served_model_of)
NAMES_A_MODEL = r"v.artifact_uri !~ '^[A-Za-z][A-Za-z0-9+.-]*:/' AND v.artifact_uri !~ '[[:space:][:cntrl:]]'"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "deployments",
        sa.Column("fallback_ids", postgresql.ARRAY(sa.UUID()), server_default=sa.text("'{}'"), nullable=False),
        schema=S,
    )
    op.add_column(
        "inference_requests",
        sa.Column("attempt", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        schema=S,
    )
    op.add_column("inference_requests", sa.Column("fallback_from", sa.UUID(), nullable=True), schema=S)
    # NOT VALID, then validated under a lock that lets the log's writes go on
    op.execute(
        f"ALTER TABLE {S}.inference_requests ADD CONSTRAINT ck_inference_requests_attempt CHECK (attempt >= 1) NOT VALID"
    )
    op.execute(f"ALTER TABLE {S}.inference_requests VALIDATE CONSTRAINT ck_inference_requests_attempt")
    for table in ("deployments", "deployment_revisions"):
        op.add_column(table, sa.Column("served_model", sa.Text(), nullable=True), schema=S)
        op.execute(
            f"UPDATE {S}.{table} t SET served_model = v.artifact_uri FROM {S}.model_versions v"
            f" WHERE v.id = t.model_version_id AND {NAMES_A_MODEL} AND length(v.artifact_uri) <= 256"
        )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("deployment_revisions", "deployments"):
        op.drop_column(table, "served_model", schema=S)
    op.drop_constraint("ck_inference_requests_attempt", "inference_requests", schema=S)
    op.drop_column("inference_requests", "fallback_from", schema=S)
    op.drop_column("inference_requests", "attempt", schema=S)
    op.drop_column("deployments", "fallback_ids", schema=S)
