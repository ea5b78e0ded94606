"""Deployments of model versions behind upstream model servers, their revision history, and the inference log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    UUID,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    text,
)

from mlp.common.runtime.columns import (
    created_at_column,
    deleted_at_column,
    id_column,
    metadata_column,
    non_negative,
    one_of,
    updated_at_column,
    user_id_column,
    user_index,
    uuid_column,
)
from mlp.registry.adapters.db.metadata import metadata, unique_name_per_user
from mlp.registry.adapters.db.tables_models import model_versions, models
from mlp.registry.domain.deployments import DEPLOYMENT_KINDS, DEPLOYMENT_STATUSES

INFERENCE_ENDPOINTS = ("chat.completions", "completions", "embeddings", "predict")


def canary_columns(table: str, *version_key: ForeignKey) -> list[Column[Any] | CheckConstraint]:
    """A second version answering ``canary_weight`` percent of the calls (all four set, or none)."""
    return [
        Column("canary_model_version_id", UUID(as_uuid=True), *version_key),
        Column("canary_model_version", Integer),
        Column("canary_served_model", Text),
        Column("canary_weight", SmallInteger),
        CheckConstraint("canary_weight BETWEEN 1 AND 99", name=f"ck_{table}_canary_weight"),
        CheckConstraint(
            "num_nulls(canary_model_version_id, canary_model_version, canary_weight) IN (0, 3)",
            name=f"ck_{table}_canary_complete",
        ),
    ]


deployments = Table(
    "deployments",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    uuid_column("model_id", ForeignKey(models.c.id, ondelete="RESTRICT")),
    uuid_column("model_version_id", ForeignKey(model_versions.c.id, ondelete="RESTRICT")),
    Column("model_version", Integer, nullable=False),
    Column("upstream_url", Text, nullable=False),
    # Fernet token of the upstream credential (never returned, never logged).
    Column("credential_ciphertext", LargeBinary),
    Column("connect_timeout_seconds", Float, nullable=False),
    Column("timeout_seconds", Float, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("status_detail", Text),
    Column("last_probed_at", DateTime(timezone=True)),
    # Deployments tried in order when this one fails before answering (ids; no foreign key: any may go).
    Column("fallback_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default=text("'{}'")),
    # The model id the upstream is asked for (NULL: the request's model is forwarded as sent).
    Column("served_model", Text),
    *canary_columns("deployments", ForeignKey(model_versions.c.id, ondelete="RESTRICT")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("deployments", "status", DEPLOYMENT_STATUSES),
    one_of("deployments", "kind", DEPLOYMENT_KINDS),
    CheckConstraint("length(name) BETWEEN 1 AND 128", name="ck_deployments_name_length"),
    CheckConstraint("connect_timeout_seconds > 0 AND timeout_seconds > 0", name="ck_deployments_timeouts_positive"),
    user_index("deployments", "created_at"),
    unique_name_per_user("deployments"),
    Index("ix_deployments_model_version_id", "model_version_id"),
    Index("ix_deployments_model_id", "model_id"),
    # The prober walks deployments that are live.
    Index("ix_deployments_live", "last_probed_at", postgresql_where=text("deleted_at IS NULL AND status <> 'stopped'")),
)

deployment_revisions = Table(
    "deployment_revisions",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("deployment_id", ForeignKey(deployments.c.id, ondelete="CASCADE")),
    uuid_column("model_version_id"),
    Column("model_version", Integer, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)),
    Column("served_model", Text),
    *canary_columns("deployment_revisions"),
    CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_deployment_revisions_interval"),
    Index("ix_deployment_revisions_deployment", "deployment_id", "valid_from"),
    Index(
        "uq_deployment_revisions_open",
        "deployment_id",
        unique=True,
        postgresql_where=text("valid_to IS NULL"),
    ),
    user_index("deployment_revisions"),
)

inference_requests = Table(
    "inference_requests",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("deployment_id"),
    uuid_column("model_version_id"),
    uuid_column("api_key_id", nullable=True),
    Column("request_id", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("stream", Boolean, nullable=False, server_default=text("false")),
    Column("status_code", Integer, nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("upstream_latency_ms", Float),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("error", Text),
    Column("upstream_prompt_tokens", Integer),
    Column("upstream_completion_tokens", Integer),
    created_at_column(),
    Column("attempt", SmallInteger, nullable=False, server_default=text("1")),
    uuid_column("fallback_from", nullable=True),
    one_of("inference_requests", "endpoint", INFERENCE_ENDPOINTS),
    CheckConstraint("status_code BETWEEN 100 AND 599", name="ck_inference_requests_status_code"),
    CheckConstraint("attempt >= 1", name="ck_inference_requests_attempt"),
    *non_negative(
        "inference_requests",
        "prompt_tokens",
        "completion_tokens",
        "latency_ms",
        "upstream_latency_ms",
        "upstream_prompt_tokens",
        "upstream_completion_tokens",
    ),
    Index("ix_inference_requests_user", "user_id", "created_at", "id"),
    Index("ix_inference_requests_deployment", "deployment_id", "created_at"),
)
