"""The Stripe side of billing: customers linked to users, cached invoices, and raw webhook events."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, DateTime, Index, Integer, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.common.runtime.columns import (
    created_at_column,
    id_column,
    metadata_column,
    non_negative,
    one_of,
    updated_at_column,
    user_id_column,
    user_index,
    uuid_column,
)

# Stripe's own invoice statuses.
INVOICE_STATUSES = ("draft", "open", "paid", "void", "uncollectible")
WEBHOOK_EVENT_STATUSES = ("received", "processed", "failed")


stripe_customers = Table(
    "stripe_customers",
    metadata,
    id_column(),
    # One Stripe customer per user.
    uuid_column("user_id", unique=True),
    Column("stripe_customer_id", Text, nullable=False, unique=True),
    Column("email", Text),
    *currency_column("stripe_customers", "default_currency", nullable=True),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
)

billing_invoices = Table(
    "billing_invoices",
    metadata,
    id_column(),
    user_id_column(),
    Column("stripe_invoice_id", Text, nullable=False, unique=True),
    Column("stripe_customer_id", Text, nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("total_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("amount_due_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("amount_paid_minor", BigInteger, nullable=False, server_default=text("0")),
    *currency_column("billing_invoices"),
    Column("hosted_invoice_url", Text),
    Column("lines", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Which fact this row reflects: the Stripe event's ``created`` and the status' rank in Stripe's
    # lifecycle; a webhook only overwrites the row with a later fact (delivery order is not guaranteed).
    Column("source_event_created_at", DateTime(timezone=True), nullable=False),
    Column("status_rank", Integer, nullable=False),
    created_at_column(),
    updated_at_column(),
    one_of("billing_invoices", "status", INVOICE_STATUSES),
    CheckConstraint("period_end >= period_start", name="ck_billing_invoices_period"),
    CheckConstraint("jsonb_typeof(lines) = 'array'", name="ck_billing_invoices_lines_array"),
    user_index("billing_invoices", "period_start"),
)

stripe_webhook_events = Table(
    "stripe_webhook_events",
    metadata,
    id_column(),
    Column("stripe_event_id", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("livemode", Boolean, nullable=False),
    # Stripe's ``created`` of the event: delivery order is not guaranteed, this is the order of facts.
    Column("event_created_at", DateTime(timezone=True)),
    Column("payload", JSONB, nullable=False),
    Column("signature_verified", Boolean, nullable=False, server_default=text("false")),
    Column("status", Text, nullable=False, server_default=text("'received'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("processed_at", DateTime(timezone=True)),
    Column("error", Text),
    created_at_column(),
    updated_at_column(),
    one_of("stripe_webhook_events", "status", WEBHOOK_EVENT_STATUSES),
    *non_negative("stripe_webhook_events", "attempts"),
    Index("ix_stripe_webhook_events_type", "type", "created_at"),
    # Workers pick up what is not processed yet.
    Index("ix_stripe_webhook_events_pending", "created_at", postgresql_where=text("status <> 'processed'")),
)
