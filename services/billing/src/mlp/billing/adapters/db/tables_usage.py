"""Usage events as received, their per-day aggregates, users' budgets and the alerts they fired."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.common.runtime.columns import (
    created_at_column,
    id_column,
    non_negative,
    one_of,
    updated_at_column,
    user_id_column,
    user_index,
)

QUANTITY = Numeric(38, 12)
"""Exact quantities (tokens, bytes, rows) with room for fractions; never a float."""

ALERT_KINDS = ("budget_threshold", "payment_failed")

usage_events = Table(
    "usage_events",
    metadata,
    user_id_column(),
    # The sender's idempotency key, unique per (user, source): one caller's ids never shadow another's.
    Column("event_id", Text, nullable=False),
    # The authenticated caller that reported it (a service's name, or ``user``); '' before 0005.
    Column("source", Text, nullable=False, server_default=text("''")),
    Column("metric", Text, nullable=False),
    Column("quantity", QUANTITY, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("properties", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # SHA-256 of the canonical payload: a resent id is a duplicate only if this matches.
    Column("payload_hash", LargeBinary, nullable=False),
    # The book in force at ``occurred_at`` (nil UUID: none was); no FK, the aggregates key on it too.
    Column("price_book_id", UUID(as_uuid=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("stripe_pushed_at", DateTime(timezone=True)),
    # The only index: every read is by (user, event id[, source]) or by user (purge); reports read
    # the aggregates, and the meter pusher gets its keys from its job. Each index more is paid per event.
    PrimaryKeyConstraint("user_id", "event_id", "source", name="pk_usage_events"),
    *non_negative("usage_events", "quantity"),
)

usage_daily = Table(
    "usage_daily",
    metadata,
    user_id_column(),
    Column("day", Date, nullable=False),
    Column("metric", Text, nullable=False),
    Column("price_book_id", UUID(as_uuid=True), nullable=False),
    # Concurrent batches of the same users would queue on the same aggregate rows until each
    # commits; each connection adds to its own shard instead (``pg_backend_pid() % 16``), and
    # readers sum the shards.
    Column("shard", SmallInteger, nullable=False, server_default=text("0")),
    Column("quantity", QUANTITY, nullable=False),
    Column("events", BigInteger, nullable=False),
    PrimaryKeyConstraint("user_id", "day", "metric", "price_book_id", "shard", name="pk_usage_daily"),
    *non_negative("usage_daily", "quantity", "events"),
)

budgets = Table(
    "budgets",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("monthly_amount_minor", BigInteger, nullable=False),
    *currency_column("budgets"),
    Column("thresholds", ARRAY(Integer), nullable=False),
    Column("webhook_url", Text),
    Column("webhook_secret", Text),
    # A hard limit: at 100 % the user's inference, tuning and evaluation calls are refused.
    Column("hard_limit", Boolean, nullable=False, server_default=text("false")),
    created_at_column(),
    updated_at_column(),
    CheckConstraint("monthly_amount_minor > 0", name="ck_budgets_amount_positive"),
)

billing_alerts = Table(
    "billing_alerts",
    metadata,
    id_column(),
    user_id_column(),
    Column("kind", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    # Percent of the budget for a threshold alert, 0 otherwise.
    Column("threshold_percent", Integer, nullable=False, server_default=text("0")),
    Column("amount_minor", BigInteger, nullable=False),
    *currency_column("billing_alerts"),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    created_at_column(),
    one_of("billing_alerts", "kind", ALERT_KINDS),
    user_index("billing_alerts", "created_at"),
    # Each threshold fires once per period; other kinds are keyed by what raised them (details).
    UniqueConstraint("user_id", "kind", "period_start", "threshold_percent", name="uq_billing_alerts_once"),
)
