"""The jobs billing queues for its own worker (entrypoints and payloads)."""

from __future__ import annotations

import uuid

import msgspec

PUSH_METER_EVENTS = "billing.push_meter_events"
CHECK_BUDGET = "billing.check_budget"
NOTIFY_ALERT = "billing.notify_alert"
PROCESS_STRIPE_EVENT = "billing.process_stripe_event"
RUN_RECONCILIATION = "billing.run_reconciliation"


class MeterPush(msgspec.Struct, frozen=True):
    """Usage events to send to Stripe as meter events, by (user, event id)."""

    keys: list[tuple[uuid.UUID, str]]


class BudgetCheck(msgspec.Struct, frozen=True):
    user_id: uuid.UUID


class AlertNotice(msgspec.Struct, frozen=True):
    """A signed webhook to deliver; ``alert_id`` is the receiver's idempotency key."""

    alert_id: uuid.UUID
    user_id: uuid.UUID
    url: str
    body: bytes


class StripeEventJob(msgspec.Struct, frozen=True):
    stripe_event_id: str


class ReconciliationJob(msgspec.Struct, frozen=True):
    run_id: uuid.UUID
