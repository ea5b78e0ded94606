"""Deployments of model versions behind endpoints, and the log of inference requests made to them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

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
from mlp.registry.adapters.db.tables_models import model_versions

DEPLOYMENT_STATUSES = ("provisioning", "active", "paused", "failed", "stopped")


deployments = Table(
    "deployments",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("model_version_id", ForeignKey(model_versions.c.id, ondelete="RESTRICT")),
    Column("name", Text, nullable=False),
    # Public endpoint path segment; never reused (not even after a soft delete) so old clients cannot reach
    # somebody else's deployment.
    Column("slug", Text, nullable=False, unique=True),
    Column("upstream_url", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'provisioning'")),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("deployments", "status", DEPLOYMENT_STATUSES),
    CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'", name="ck_deployments_slug_format"),
    user_index("deployments", "created_at"),
    unique_name_per_user("deployments"),
    Index("ix_deployments_model_version_id", "model_version_id"),
)

inference_requests = Table(
    "inference_requests",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("deployment_id", ForeignKey(deployments.c.id, ondelete="CASCADE")),
    uuid_column("api_key_id", nullable=True),
    Column("request_id", Text, nullable=False, unique=True),
    Column("model", Text, nullable=False),
    Column("stream", Boolean, nullable=False, server_default=text("false")),
    Column("status_code", Integer, nullable=False),
    Column("prompt_tokens", BigInteger),
    Column("completion_tokens", BigInteger),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text),
    created_at_column(),
    CheckConstraint("status_code BETWEEN 100 AND 599", name="ck_inference_requests_status_code"),
    *non_negative("inference_requests", "prompt_tokens", "completion_tokens", "latency_ms"),
    user_index("inference_requests", "created_at"),
    Index("ix_inference_requests_deployment", "deployment_id", "created_at"),
)
