"""Usage events refused by ingestion and parked with the reason (the dead letters of usage)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, SmallInteger, Table, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import UUID

from mlp.billing.adapters.db.metadata import metadata
from mlp.common.runtime.columns import id_column

parked_usage_events = Table(
    "parked_usage_events",
    metadata,
    id_column(),
    # The service that sent it, and the event as it was sent (replayed as that service).
    Column("source", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    # NULL when the event's own user_id was not a UUID.
    Column("user_id", UUID(as_uuid=True)),
    # ASCII JSON, not jsonb: a refused event may hold a NUL or a lone surrogate (kept escaped).
    Column("event", Text, nullable=False),
    # SHA-256 of the event as sent: a redelivery of the same event is parked once.
    Column("event_digest", LargeBinary, nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="1"),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_tried_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source", "event_digest", name="uq_parked_usage_events_event"),
    Index("ix_parked_usage_events_parked_at", "parked_at", "id"),
    Index("ix_parked_usage_events_user", "user_id"),
)
