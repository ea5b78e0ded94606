"""serving: the model id a deployment asks its upstream for (and each revision served), filled in
from the version's artifact URI where that names a model (the others keep forwarding the request's
``model`` until given one); a deployment's canary (a second version answering a share of calls) and
fallbacks; the attempt each inference log row records.

Revision ID: 0011_serving_models
Revises: 0014_upstream_reported_tokens
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_serving_models"
down_revision: str | None = "0014_upstream_reported_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"
# an artifact URI naming a location (s3://, runs:/, ...) is not a model id (domain.deployments.served_model_of)
NAMES_A_MODEL = r"v.artifact_uri !~ '^[A-Za-z][A-Za-z0-9+.-]*:/' AND v.artifact_uri !~ '[[:space:][:cntrl:]]'"


FK = "fk_deployments_canary_model_version_id_model_versions"
# (table, constraint, definition): added NOT VALID in the revision's transaction (no scan), validated
# after it commits, under a lock that lets reads and writes go on (re-running a validation is a no-op)
CONSTRAINTS = [
    *(
        (table, f"ck_{table}_canary_{name}", f"CHECK ({check})")
        for table in ("deployments", "deployment_revisions")
        for name, check in (
            ("weight", "canary_weight BETWEEN 1 AND 99"),
            ("complete", "num_nulls(canary_model_version_id, canary_model_version, canary_weight) IN (0, 3)"),
        )
    ),
    (
        "deployments",
        FK,
        f"FOREIGN KEY (canary_model_version_id) REFERENCES {S}.model_versions (id) ON DELETE RESTRICT",
    ),
    ("inference_requests", "ck_inference_requests_attempt", "CHECK (attempt >= 1)"),
]


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "deployments",
        sa.Column("fallback_ids", postgresql.ARRAY(sa.UUID()), server_default=sa.text("'{}'"), nullable=False),
        schema=S,
    )
    for table in ("deployments", "deployment_revisions"):
        op.add_column(table, sa.Column("canary_model_version_id", sa.UUID(), nullable=True), schema=S)
        op.add_column(table, sa.Column("canary_model_version", sa.Integer(), nullable=True), schema=S)
        op.add_column(table, sa.Column("canary_served_model", sa.Text(), nullable=True), schema=S)
        op.add_column(table, sa.Column("canary_weight", sa.SmallInteger(), nullable=True), schema=S)
    op.add_column(
        "inference_requests",
        sa.Column("attempt", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        schema=S,
    )
    op.add_column("inference_requests", sa.Column("fallback_from", sa.UUID(), nullable=True), schema=S)
    for table, name, definition in CONSTRAINTS:
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT {name} {definition} NOT VALID")
    for table in ("deployments", "deployment_revisions"):
        op.add_column(table, sa.Column("served_model", sa.Text(), nullable=True), schema=S)
        op.execute(
            f"UPDATE {S}.{table} t SET served_model = v.artifact_uri FROM {S}.model_versions v"
            f" WHERE v.id = t.model_version_id AND {NAMES_A_MODEL} AND length(v.artifact_uri) <= 256"
        )
    with op.get_context().autocommit_block():
        for table, name, _ in CONSTRAINTS:
            op.execute(
                "-- validating a valid constraint again is a no-op: the revision can be re-run\n"
                "-- squawk-ignore prefer-robust-stmts\n"
                f"ALTER TABLE {S}.{table} VALIDATE CONSTRAINT {name}"
            )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("deployment_revisions", "deployments"):
        op.drop_column(table, "served_model", schema=S)
    for table, name, _ in reversed(CONSTRAINTS):
        op.drop_constraint(name, table, schema=S)
    for table in ("deployment_revisions", "deployments"):
        for column in ("canary_weight", "canary_served_model", "canary_model_version", "canary_model_version_id"):
            op.drop_column(table, column, schema=S)
    op.drop_column("inference_requests", "fallback_from", schema=S)
    op.drop_column("inference_requests", "attempt", schema=S)
    op.drop_column("deployments", "fallback_ids", schema=S)
