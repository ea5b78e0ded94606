"""The platform's plan in Stripe (a metered price per price-book item) and users' subscriptions to it."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, Table, Text, text

from mlp.billing.adapters.db.metadata import metadata
from mlp.billing.adapters.db.tables_pricing import price_books
from mlp.common.runtime.columns import (
    created_at_column,
    id_column,
    updated_at_column,
    user_id_column,
    user_index,
    uuid_column,
)

stripe_plan_prices = Table(
    "stripe_plan_prices",
    metadata,
    uuid_column("price_book_id", ForeignKey(price_books.c.id, ondelete="RESTRICT")),
    Column("metric", Text, nullable=False),
    # the meter of the metric's events (one per metric: Stripe allows one active meter per event name)
    Column("stripe_meter_id", Text, nullable=False),
    Column("stripe_price_id", Text, nullable=False, unique=True),
    created_at_column(),
    PrimaryKeyConstraint("price_book_id", "metric", name="pk_stripe_plan_prices"),
)

stripe_subscriptions = Table(
    "stripe_subscriptions",
    metadata,
    id_column(),
    user_id_column(),
    Column("stripe_subscription_id", Text, nullable=False, unique=True),
    Column("stripe_customer_id", Text, nullable=False),
    # Stripe's own statuses (incomplete, trialing, active, past_due, canceled, unpaid, paused, ...)
    Column("status", Text, nullable=False),
    Column("cancel_at_period_end", Boolean, nullable=False, server_default=text("false")),
    Column("current_period_start", DateTime(timezone=True)),
    Column("current_period_end", DateTime(timezone=True)),
    # the fact this row reflects (a webhook only overwrites it with a later event)
    Column("source_event_created_at", DateTime(timezone=True), nullable=False),
    Column("source_event_rank", Integer, nullable=False),
    created_at_column(),
    updated_at_column(),
    user_index("stripe_subscriptions", "created_at"),
)
