"""A user's subscription to the platform's plan, as Stripe's ``customer.subscription.*`` events tell it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mlp.billing.domain.stripe_objects import StripeEvent

LIVE_STATUSES = ("incomplete", "trialing", "active", "past_due", "unpaid", "paused")
"""Statuses of a subscription that still exists: a user with one does not check out again."""


def _at(seconds: Any) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(int(seconds), UTC)


@dataclass(frozen=True, slots=True)
class SubscriptionSnapshot:
    stripe_subscription_id: str
    stripe_customer_id: str
    status: str
    cancel_at_period_end: bool
    current_period_start: datetime | None
    current_period_end: datetime | None
    fact_at: datetime
    fact_rank: int
    """``customer.subscription.deleted`` (rank 1) ends it, even if an update of the same second arrives later."""

    @classmethod
    def from_event(cls, event: StripeEvent) -> SubscriptionSnapshot:
        subscription = event.object
        items = (subscription.get("items") or {}).get("data") or [{}]
        # the period moved from the subscription to its items in Stripe's API of 2025-03-31
        period_of = subscription if "current_period_start" in subscription else items[0]
        return cls(
            stripe_subscription_id=str(subscription["id"]),
            stripe_customer_id=str(subscription["customer"]),
            status=str(subscription.get("status") or "incomplete"),
            cancel_at_period_end=bool(subscription.get("cancel_at_period_end", False)),
            current_period_start=_at(period_of.get("current_period_start")),
            current_period_end=_at(period_of.get("current_period_end")),
            fact_at=event.created,
            fact_rank=1 if event.type == "customer.subscription.deleted" else 0,
        )
