"""Usage events (metered, rated against a price item, then invoiced) and users' budget alerts."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Table, Text, text

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.billing.adapters.db.tables_pricing import price_items
from mlp.billing.adapters.db.tables_stripe import billing_invoices
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

USAGE_SOURCES = ("identity", "registry", "evaluation", "billing")
ALERT_PERIODS = ("daily", "weekly", "monthly")
ALERT_CHANNELS = ("email", "webhook")
ALERT_STATUSES = ("active", "paused")


usage_events = Table(
    "usage_events",
    metadata,
    id_column(),
    user_id_column(),
    # Set by the emitting service (outbox); a redelivered event is recognised and ignored.
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("meter", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("unit", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("resource_type", Text),
    Column("resource_id", Text),
    # Filled when the event is rated: the amount, its currency and the price item used, all at once.
    uuid_column("price_item_id", ForeignKey(price_items.c.id, ondelete="RESTRICT"), nullable=True),
    Column("rated_amount_minor", BigInteger),
    *currency_column("usage_events", nullable=True),
    Column("rated_at", DateTime(timezone=True)),
    uuid_column("invoice_id", ForeignKey(billing_invoices.c.id, ondelete="RESTRICT"), nullable=True),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    one_of("usage_events", "source", USAGE_SOURCES),
    *non_negative("usage_events", "quantity", "rated_amount_minor"),
    CheckConstraint(
        "(rated_amount_minor IS NULL) = (currency IS NULL) AND (rated_amount_minor IS NULL) = (rated_at IS NULL)",
        name="ck_usage_events_rating_complete",
    ),
    CheckConstraint("invoice_id IS NULL OR rated_amount_minor IS NOT NULL", name="ck_usage_events_invoiced_rated"),
    user_index("usage_events", "occurred_at"),
    Index("ix_usage_events_user_meter", "user_id", "meter", "occurred_at"),
    # The rater's backlog.
    Index("ix_usage_events_unrated", "occurred_at", postgresql_where=text("rated_amount_minor IS NULL")),
    Index("ix_usage_events_invoice_id", "invoice_id", postgresql_where=text("invoice_id IS NOT NULL")),
)

billing_alerts = Table(
    "billing_alerts",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    Column("threshold_amount_minor", BigInteger, nullable=False),
    *currency_column("billing_alerts"),
    Column("period", Text, nullable=False, server_default=text("'monthly'")),
    Column("channel", Text, nullable=False, server_default=text("'email'")),
    # Where to notify: an email address or a webhook URL; NULL means the account's email.
    Column("destination", Text),
    Column("last_triggered_at", DateTime(timezone=True)),
    Column("status", Text, nullable=False, server_default=text("'active'")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("billing_alerts", "period", ALERT_PERIODS),
    one_of("billing_alerts", "channel", ALERT_CHANNELS),
    one_of("billing_alerts", "status", ALERT_STATUSES),
    CheckConstraint("threshold_amount_minor > 0", name="ck_billing_alerts_threshold_positive"),
    user_index("billing_alerts", "created_at"),
    Index(
        "uq_billing_alerts_user_name",
        "user_id",
        "name",
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
    ),
)
