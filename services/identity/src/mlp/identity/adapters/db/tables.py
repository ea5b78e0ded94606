"""identity's tables, all in the ``identity`` schema (the only schema this service touches)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from mlp.common.runtime.columns import (
    created_at_column,
    deleted_at_column,
    id_column,
    metadata_column,
    updated_at_column,
)

SCHEMA = "identity"
metadata = MetaData(schema=SCHEMA)


users = Table(
    "users",
    metadata,
    id_column(),
    Column("firebase_uid", Text, nullable=False, unique=True),
    Column("email", Text),
    Column("email_verified", Boolean, nullable=False, server_default=text("false")),
    Column("display_name", Text),
    Column("photo_url", Text),
    metadata_column(),
    Column("last_sign_in_at", DateTime(timezone=True)),
    Column("tokens_valid_after", DateTime(timezone=True)),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    Index("ix_users_email", "email"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    id_column(),
    Column("user_id", UUID(as_uuid=True), ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    Column("user_agent", Text),
    Column("ip_address", Text),
    Column("device_name", Text),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
    Column("refresh_token_hash", LargeBinary),
    Column("firebase_checked_at", DateTime(timezone=True)),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    Index("ix_user_sessions_user_active", "user_id", "revoked_at", "expires_at"),
    Index("uq_user_sessions_refresh_token_hash", "refresh_token_hash", unique=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    id_column(),
    Column("user_id", UUID(as_uuid=True), ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False, unique=True),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("previous_secret_hash", LargeBinary),
    Column("previous_secret_expires_at", DateTime(timezone=True)),
    Column("scopes", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("expires_at", DateTime(timezone=True)),
    Column("requests_per_minute", Integer),
    Column("requests_per_month", Integer),
    Column("last_used_at", DateTime(timezone=True)),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    Index("ix_api_keys_user_id", "user_id", "created_at"),
)

operation_events = Table(
    "operation_events",
    metadata,
    id_column(),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("service", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("resource_type", Text, nullable=False),
    Column("resource_id", Text),
    Column("outcome", Text, nullable=False, server_default=text("'success'")),
    Column("ip_address", Text),
    Column("user_agent", Text),
    Column("request_id", Text),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    created_at_column(),
    Index("ix_operation_events_user_time", "user_id", "occurred_at", "id"),
    Index("ix_operation_events_user_resource", "user_id", "resource_type", "resource_id"),
)

api_key_usage = Table(
    "api_key_usage",
    metadata,
    Column("api_key_id", UUID(as_uuid=True), ForeignKey(api_keys.c.id, ondelete="CASCADE"), primary_key=True),
    Column("window_kind", Text, primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("count", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("window_kind IN ('minute', 'month')", name="ck_api_key_usage_window_kind"),
)
"""Requests counted per key and window, shared by every identity replica (quota enforcement)."""

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_key_pem", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    created_at_column(),
    Column("retired_at", DateTime(timezone=True)),
)
