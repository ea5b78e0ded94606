"""Rated usage pushed to Stripe as meter events through the worker's job, across a Stripe outage."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from billing_harness import Billing, Tokens
from stripe_standin import stripe_standin
from test_usage_ingestion import event, post

from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.adapters.stripe.gateway import StripeSdkGateway
from mlp.billing.application.job_handlers import job_handlers
from mlp.billing.application.jobs import PUSH_METER_EVENTS
from mlp.billing.settings import BillingSettings
from mlp.billing.wiring import use_cases


async def test_every_event_is_pushed_exactly_once_when_stripe_fails_then_recovers(
    billing: Billing, tokens: Tokens, billing_settings: BillingSettings
) -> None:
    user = uuid.uuid4()
    book = {
        "name": "push-test",
        "currency": "USD",
        "user_id": str(user),
        "effective_from": billing.clock.now().isoformat(),
        "items": [{"metric": "eval.rows", "model": "per_unit", "unit_price": "1"}],
    }
    assert (await billing.client.post("/v1/price-books", json=book, headers=tokens.service())).status_code == 201
    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    events = [event(user, billing, metric="eval.rows", quantity=i + 1, timestamp=at) for i in range(12)]
    await post(billing, tokens.service(), events)
    payloads = [p for p in await billing.take_jobs(PUSH_METER_EVENTS) if str(user).encode() in p]
    assert len(payloads) == 1

    with stripe_standin() as (base, state):
        cases = use_cases(
            billing.engine,
            billing_settings,
            billing_outbox,
            StripeSdkGateway("sk_test", base),
            billing.webhooks,
            billing.clock,
            billing.emails,
        )
        push = job_handlers(cases.meter_pusher, cases.budgets, cases.stripe_webhooks, cases.reconciliation)[
            PUSH_METER_EVENTS
        ]
        state.fail_next = 1  # the customer creation fails first
        state.fail_requests = {4, 5, 9}  # then meter events, mid-way
        failures = 0
        for _attempt in range(10):  # what the worker's retries do
            try:
                await push(payloads[0])
                break
            except Exception:
                failures += 1
        assert failures == 4
        await push(payloads[0])  # a redelivered job after success sends nothing more
        sent_ok = Counter(
            r.form["identifier"]
            for i, r in enumerate(state.requests)
            if r.path == "/v1/billing/meter_events" and i + 1 not in {4, 5, 9}
        )
        customers = [r for r in state.requests if r.path == "/v1/customers"]

    assert len(state.meter_events) == 12
    assert set(sent_ok.values()) == {1}
    assert len({r.headers["Idempotency-Key"] for r in customers}) == 1
    status = await billing.client.get(f"/v1/usage-events/{events[0]['event_id']}", headers=tokens.user(user))
    assert status.json()["status"] == "pushed"
