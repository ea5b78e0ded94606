"""billing's own job kinds, each a ``payload bytes -> None`` handler for the worker (raise to retry)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from mlp.billing.application.budgets import Budgets
from mlp.billing.application.jobs import (
    CHECK_BUDGET,
    NOTIFY_ALERT,
    PROCESS_STRIPE_EVENT,
    PUSH_METER_EVENTS,
    RUN_RECONCILIATION,
    BudgetCheck,
    MeterPush,
    ReconciliationJob,
    StripeEventJob,
)
from mlp.billing.application.meter_push import MeterPusher
from mlp.billing.application.reconciliation import Reconciliation
from mlp.billing.application.stripe_webhooks import StripeWebhooks

Handler = Callable[[bytes], Awaitable[None]]


def job_handlers(
    meter_pusher: MeterPusher, budgets: Budgets, stripe_webhooks: StripeWebhooks, reconciliation: Reconciliation
) -> dict[str, Handler]:
    async def push_meter_events(payload: bytes) -> None:
        await meter_pusher.push(msgspec.json.decode(payload, type=MeterPush).keys)

    async def check_budget(payload: bytes) -> None:
        await budgets.check(msgspec.json.decode(payload, type=BudgetCheck).user_id)

    async def process_stripe_event(payload: bytes) -> None:
        await stripe_webhooks.process(msgspec.json.decode(payload, type=StripeEventJob).stripe_event_id)

    async def run_reconciliation(payload: bytes) -> None:
        await reconciliation.run(msgspec.json.decode(payload, type=ReconciliationJob).run_id)

    return {
        PUSH_METER_EVENTS: push_meter_events,
        CHECK_BUDGET: check_budget,
        NOTIFY_ALERT: budgets.notify,
        PROCESS_STRIPE_EVENT: process_stripe_event,
        RUN_RECONCILIATION: run_reconciliation,
    }
