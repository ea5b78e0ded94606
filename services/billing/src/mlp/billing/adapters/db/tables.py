"""billing's tables, all in the ``billing`` schema (the only schema this service touches).

``user_id`` is a plain indexed UUID (users live in identity); foreign keys stay inside this schema.
The tables are defined by area in ``tables_*`` modules on one shared ``metadata``; import them from here.
"""

from __future__ import annotations

from mlp.billing.adapters.db.metadata import SCHEMA, metadata
from mlp.billing.adapters.db.tables_parked import parked_usage_events
from mlp.billing.adapters.db.tables_pricing import PRICING_MODELS, price_books, price_items
from mlp.billing.adapters.db.tables_reconciliation import (
    ADJUSTMENT_STATUSES,
    RECONCILIATION_RUN_STATUSES,
    reconciliation_adjustments,
    reconciliation_runs,
)
from mlp.billing.adapters.db.tables_stripe import (
    INVOICE_STATUSES,
    WEBHOOK_EVENT_STATUSES,
    billing_invoices,
    stripe_customers,
    stripe_webhook_events,
)
from mlp.billing.adapters.db.tables_subscriptions import stripe_plan_prices, stripe_subscriptions
from mlp.billing.adapters.db.tables_usage import ALERT_KINDS, billing_alerts, budgets, usage_daily, usage_events
from mlp.common.runtime.inbox import received_events_table

received_events = received_events_table(metadata)
"""Events taken from other services (idempotency on ``event_id``)."""

__all__ = [
    "ADJUSTMENT_STATUSES",
    "ALERT_KINDS",
    "INVOICE_STATUSES",
    "PRICING_MODELS",
    "RECONCILIATION_RUN_STATUSES",
    "SCHEMA",
    "WEBHOOK_EVENT_STATUSES",
    "billing_alerts",
    "billing_invoices",
    "budgets",
    "metadata",
    "parked_usage_events",
    "price_books",
    "price_items",
    "received_events",
    "reconciliation_adjustments",
    "reconciliation_runs",
    "stripe_customers",
    "stripe_plan_prices",
    "stripe_subscriptions",
    "stripe_webhook_events",
    "usage_daily",
    "usage_events",
]
