"""From sign-up to an invoice: a user subscribes through Checkout, uses the platform, and Stripe's invoice
for the period is billing's rated summary, line by line; reconciliation finds nothing to correct.

Stripe is the local stand-in reached by the real adapter (the stripe SDK); the app runs on a
database of its own, so the reconciliation run sees this user only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from billing_harness import WEBHOOK_SECRET, Billing, Tokens, billing_app
from cryptography.hazmat.primitives.asymmetric import rsa
from stripe_standin import StripeState, stripe_standin
from stripe_standin_lifecycle import close_period, complete_checkout
from test_stripe_webhooks import deliver
from test_usage_ingestion import event, post

from mlp.billing.adapters.stripe.gateway import StripeSdkGateway
from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT, PUSH_METER_EVENTS, RUN_RECONCILIATION
from mlp.billing.domain.periods import Period
from mlp.billing.settings import BillingSettings

TIERS = [
    {"up_to": "100", "unit_price": "2"},
    {"up_to": "1000", "unit_price": "1", "flat_fee": "50"},
    {"up_to": None, "unit_price": "0.5"},
]
PLAN = [
    {"metric": "inference.tokens.input", "model": "per_unit", "unit_price": "0.4"},
    {"metric": "inference.tokens.output", "model": "graduated", "tiers": TIERS},
    {"metric": "eval.rows", "model": "volume", "tiers": TIERS},
    {"metric": "inference.requests", "model": "package", "unit_price": "300", "package_size": "1000"},
]


@pytest.fixture
async def paying(own_database: str, signing_key: rsa.RSAPrivateKey) -> AsyncIterator[tuple[Billing, StripeState]]:
    settings = BillingSettings(database_url=own_database, stripe_webhook_secret=WEBHOOK_SECRET, log_level="WARNING")
    with stripe_standin() as (base, state):
        async with billing_app(settings, signing_key, StripeSdkGateway("sk_test_standin", base)) as app:
            yield app, state


async def deliver_all(billing: Billing, events: list[dict[str, Any]]) -> None:
    for stripe_event in events:
        assert (await deliver(billing, json.dumps(stripe_event).encode())).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)


async def test_a_user_subscribes_uses_the_platform_and_is_invoiced_the_rated_summary(
    paying: tuple[Billing, StripeState], tokens: Tokens
) -> None:
    billing, stripe = paying
    user = uuid.uuid4()
    billing.emails.emails[user] = "ada@example.com"  # what identity knows of the user who signed up
    now = billing.clock.now()
    book = {"name": "plan", "currency": "USD", "effective_from": now.isoformat(), "items": PLAN}
    assert (await billing.client.post("/v1/price-books", json=book, headers=tokens.service())).status_code == 201

    checkout = await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user))
    assert checkout.status_code == 201, checkout.text
    assert checkout.json()["url"].startswith("https://checkout.stripe.com/")
    (customer,) = stripe.customers.values()
    assert customer["email"] == "ada@example.com"
    assert sorted(m["event_name"] for m in stripe.catalogue.meters.values()) == [
        "eval_rows",
        "inference_requests",
        "inference_tokens_input",
        "inference_tokens_output",
    ]
    period = Period.of(now)
    await deliver_all(billing, complete_checkout(stripe, checkout.json()["id"], now, period.ends_at))
    subscriptions = (await billing.client.get("/v1/subscriptions", headers=tokens.user(user))).json()["data"]
    assert [s["status"] for s in subscriptions] == ["active"]
    again = await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user))
    assert (again.status_code, again.json()["type"]) == (409, "urn:mlp:problem:already-subscribed")

    at = (now + timedelta(seconds=1)).isoformat()
    usage = [event(user, billing, metric="inference.tokens.input", quantity=1, timestamp=at) for _ in range(37)]
    usage += [
        event(user, billing, metric="inference.tokens.output", quantity=1001, timestamp=at),  # 1,150.5 -> 1,151
        event(user, billing, metric="eval.rows", quantity=1000, timestamp=at),  # volume: all at 1, +50
        event(user, billing, metric="inference.requests", quantity=1001, timestamp=at),  # 2 packages
    ]
    await post(billing, tokens.service(), usage)
    await billing.run_jobs(PUSH_METER_EVENTS)
    assert len(stripe.meter_events) == len(usage)

    invoice = close_period(stripe, customer["id"], period.starts_at, period.ends_at)
    await deliver_all(billing, [invoice])
    summary = (await billing.client.get("/v1/usage/summary", headers=tokens.user(user))).json()
    rated = {line["metric"]: line["amount_minor"] for line in summary["lines"]}
    assert rated == {
        "inference.tokens.input": 15,  # 37 x 0.4 = 14.8
        "inference.tokens.output": 1151,
        "eval.rows": 1050,
        "inference.requests": 600,
    }
    (cached,) = (await billing.client.get("/v1/invoices", headers=tokens.user(user))).json()["data"]
    assert cached["total_minor"] == summary["totals_minor"]["USD"] == sum(rated.values())
    assert sorted(line["amount_minor"] for line in cached["lines"]) == sorted(rated.values())

    run = await billing.client.post("/v1/reconciliation-runs", json={"period": period.label}, headers=tokens.service())
    await billing.run_jobs(RUN_RECONCILIATION)
    proven = (await billing.client.get(f"/v1/reconciliation-runs/{run.json()['id']}", headers=tokens.service())).json()
    assert (proven["status"], proven["users_total"], proven["adjustments"]) == ("succeeded", 1, [])

    portal = await billing.client.post("/v1/portal-sessions", headers=tokens.user(user))
    assert portal.status_code == 201
    assert portal.json()["url"].startswith("https://billing.stripe.com/")
