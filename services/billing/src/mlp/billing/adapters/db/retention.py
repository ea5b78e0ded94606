"""What billing deletes once it has outlived its retention (run by ``mlp worker billing``).

Daily aggregates, invoices, price books and reconciliation runs are kept: they are the bill.
"""

from __future__ import annotations

from datetime import timedelta

from mlp.billing.settings import BillingSettings
from mlp.common.runtime.inbox import received_events_retention
from mlp.common.runtime.retention import RetentionRule


def billing_retention(settings: BillingSettings) -> tuple[RetentionRule, ...]:
    return (
        RetentionRule("usage_events", "received_at", timedelta(days=settings.retention_usage_events_days)),
        RetentionRule(
            "stripe_webhook_events",
            "processed_at",
            timedelta(days=settings.retention_webhook_events_days),
            "processed_at IS NOT NULL",
        ),
        received_events_retention(settings.retention_received_events_days),
    )
