"""Checkout, portal and subscription state at the Stripe port: prices made once, webhooks order-proof, owner-only."""

from __future__ import annotations

import json
import uuid
from typing import Any

from billing_harness import Billing, Tokens
from test_stripe_webhooks import deliver

from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT


async def own_book(billing: Billing, tokens: Tokens, user: uuid.UUID, *items: dict[str, Any]) -> None:
    book = {
        "name": "own",
        "currency": "USD",
        "user_id": str(user),
        "effective_from": billing.clock.now().isoformat(),
        "items": list(items) or [{"metric": "eval.rows", "model": "per_unit", "unit_price": "0.4"}],
    }
    assert (await billing.client.post("/v1/price-books", json=book, headers=tokens.service())).status_code == 201


def subscription_event(kind: str, created: int, customer: str, status: str) -> bytes:
    item = {"id": "si_1", "current_period_start": 1793491200, "current_period_end": 1796083200}
    subscription = {
        "id": f"sub_{customer}",
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "items": {"object": "list", "data": [item]},
    }
    body = {"id": f"evt_{uuid.uuid4().hex[:10]}", "type": kind, "created": created, "data": {"object": subscription}}
    return json.dumps(body).encode()


async def test_checkout_makes_the_plans_prices_once_and_the_customer_with_the_users_email(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    billing.emails.emails[user] = "grace@example.com"
    await own_book(billing, tokens, user)
    first = await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user))
    assert first.status_code == 201, first.text
    calls = billing.stripe.price_calls
    second = await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user))
    assert second.json()["id"] != first.json()["id"]
    assert billing.stripe.price_calls == calls  # the book's prices are known: none is asked for again
    (customer, price_ids), again = billing.stripe.checkouts[-2], billing.stripe.checkouts[-1]
    assert again == (customer, price_ids)
    assert billing.stripe.emails[customer] == "grace@example.com"
    assert (
        await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user, "billing:read"))
    ).status_code == 403


async def test_a_plan_stripe_cannot_bill_exactly_is_refused_before_anything_is_sent(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    tiers = [{"up_to": "10", "unit_price": "1"}, {"up_to": None, "unit_price": "0.5"}]
    await own_book(
        billing, tokens, user, {"metric": "eval.rows", "model": "volume", "tiers": tiers, "free_quantity": "5"}
    )
    refused = await billing.client.post("/v1/checkout-sessions", headers=tokens.user(user))
    assert (refused.status_code, refused.json()["type"]) == (409, "urn:mlp:problem:plan-not-expressible")
    assert user not in billing.stripe.customers.values()


async def test_subscription_state_follows_stripes_order_of_facts_and_is_the_owners_only(
    billing: Billing, tokens: Tokens
) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    customer = await billing.cases.customer_links.ensure(user)
    for payload in (
        subscription_event("customer.subscription.created", 10, customer, "active"),
        subscription_event("customer.subscription.deleted", 20, customer, "canceled"),
        subscription_event("customer.subscription.updated", 15, customer, "past_due"),  # late delivery
    ):
        assert (await deliver(billing, payload)).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)
    mine = (await billing.client.get("/v1/subscriptions", headers=tokens.user(user))).json()["data"]
    assert [(s["stripe_subscription_id"], s["status"]) for s in mine] == [(f"sub_{customer}", "canceled")]
    assert mine[0]["current_period_end"].startswith("2026-12-01")
    assert (await billing.client.get("/v1/subscriptions", headers=tokens.user(other))).json()["data"] == []
    assert "subscription.updated" in await billing.audit_actions()


async def test_the_portal_needs_a_customer(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    missing = await billing.client.post("/v1/portal-sessions", headers=tokens.user(user))
    assert (missing.status_code, missing.json()["type"]) == (404, "urn:mlp:problem:no-customer")
    customer = await billing.cases.customer_links.ensure(user)
    portal = await billing.client.post("/v1/portal-sessions", headers=tokens.user(user))
    assert (portal.status_code, portal.json()["url"]) == (201, f"https://billing.stripe.test/p/{customer}")
