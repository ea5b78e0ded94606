"""Operations: a run that stops heart-beating fails and frees its period; large adjustments wait for
approval; failed Stripe events are listed and replayed (all for operators only)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from billing_fakes import FakeStripe
from billing_harness import WEBHOOK_SECRET, Billing, Tokens, billing_app
from cryptography.hazmat.primitives.asymmetric import rsa
from test_budgets import price_rows
from test_stripe_webhooks import deliver, invoice_event
from test_usage_ingestion import event, post

from mlp.billing.adapters.db.stripe_customers import SqlStripeCustomers
from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT, RUN_RECONCILIATION
from mlp.billing.domain.periods import Period
from mlp.billing.settings import BillingSettings


async def start(billing: Billing, tokens: Tokens, period: str) -> Any:
    return await billing.client.post("/v1/reconciliation-runs", json={"period": period}, headers=tokens.service())


async def run_of(billing: Billing, tokens: Tokens, run_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        await billing.client.get(f"/v1/reconciliation-runs/{run_id}", headers=tokens.service())
    ).json()
    return found


async def test_a_run_that_stops_heart_beating_fails_with_its_error_and_frees_its_period(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    await price_rows(billing, tokens, user)
    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    await post(billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=5, timestamp=at)])
    period = Period.of(billing.clock.now()).label

    crashed = (await start(billing, tokens, period)).json()["id"]
    billing.stripe.fail_next = 1_000  # Stripe is down: every attempt of the job raises
    with pytest.raises(ConnectionError):
        await billing.run_jobs(RUN_RECONCILIATION)
    billing.stripe.fail_next = 0
    assert (await run_of(billing, tokens, crashed))["status"] == "running"
    assert (await start(billing, tokens, period)).status_code == 409  # still beating: it blocks its period

    billing.clock.advance(minutes=6)  # past the 5-minute heartbeat timeout
    restarted = await start(billing, tokens, period)
    assert restarted.status_code == 202, restarted.text
    failed = await run_of(billing, tokens, crashed)
    assert failed["status"] == "failed"
    assert "ConnectionError: stripe is down" in failed["error"]
    assert "no heartbeat since" in failed["error"]
    await billing.run_jobs(RUN_RECONCILIATION)
    assert (await run_of(billing, tokens, restarted.json()["id"]))["status"] == "succeeded"
    assert "reconciliation.failed" in await billing.audit_actions()


async def test_an_adjustment_above_the_threshold_waits_for_an_operators_approval(
    billing: Billing, tokens: Tokens
) -> None:
    small, large = uuid.uuid4(), uuid.uuid4()
    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    for user, rows in ((small, 10_000), (large, 10_001)):  # the threshold is 10,000 minor units
        await price_rows(billing, tokens, user)
        await post(billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=rows, timestamp=at)])
    period = Period.of(billing.clock.now()).label

    first = (await start(billing, tokens, period)).json()["id"]
    await billing.run_jobs(RUN_RECONCILIATION)
    adjustments = {a["user_id"]: a for a in (await run_of(billing, tokens, first))["adjustments"]}
    assert adjustments[str(small)]["status"] == "applied"
    waiting = adjustments[str(large)]
    assert (waiting["status"], waiting["amount_minor"], waiting["stripe_object_id"]) == (
        "awaiting_approval",
        10_001,
        None,
    )
    large_customer = await billing.cases.customer_links.ensure(large)
    assert [a for c, a in billing.stripe.invoice_items.values() if c == large_customer] == []

    second = (await start(billing, tokens, period)).json()["id"]  # a waiting adjustment is not proposed again
    await billing.run_jobs(RUN_RECONCILIATION)
    assert [a for a in (await run_of(billing, tokens, second))["adjustments"] if a["user_id"] == str(large)] == []

    approve = f"/v1/reconciliation-adjustments/{waiting['id']}/approve"
    assert (await billing.client.post(approve, headers=tokens.user(large))).status_code == 403
    approved = await billing.client.post(approve, headers=tokens.service())
    assert (approved.status_code, approved.json()["status"]) == (200, "applied"), approved.text
    again = await billing.client.post(approve, headers=tokens.service())
    assert again.json()["stripe_object_id"] == approved.json()["stripe_object_id"]
    assert [a for c, a in billing.stripe.invoice_items.values() if c == large_customer] == [10_001]
    missing = await billing.client.post(
        f"/v1/reconciliation-adjustments/{uuid.uuid4()}/approve", headers=tokens.service()
    )
    assert missing.status_code == 404
    assert "adjustment.approved" in await billing.audit_actions()


async def test_a_failed_stripe_event_is_listed_and_replayed_once_its_cause_is_fixed(
    billing: Billing, tokens: Tokens
) -> None:
    user, customer = uuid.uuid4(), f"cus_{uuid.uuid4().hex[:10]}"
    invoice, event_id = f"in_{uuid.uuid4().hex[:8]}", f"evt_{uuid.uuid4().hex[:8]}"
    assert (
        await deliver(billing, invoice_event(event_id, "invoice.paid", 5, invoice, customer, "paid"))
    ).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)

    assert (await billing.client.get("/v1/stripe/events/failed", headers=tokens.user(user))).status_code == 403
    listed = (await billing.client.get("/v1/stripe/events/failed", headers=tokens.service())).json()["data"]
    mine = next(e for e in listed if e["stripe_event_id"] == event_id)
    assert (mine["type"], mine["error"]) == ("invoice.paid", "no user is linked to this customer")

    async with billing.engine.begin() as conn:  # the cause is fixed: the customer is linked
        await SqlStripeCustomers(conn).link(user, customer)
    replay = f"/v1/stripe/events/{event_id}/replay"
    assert (await billing.client.post(replay, headers=tokens.user(user))).status_code == 403
    assert (await billing.client.post(replay, headers=tokens.service())).status_code == 202
    assert await billing.run_jobs(PROCESS_STRIPE_EVENT) == 1
    invoices = (await billing.client.get("/v1/invoices", headers=tokens.user(user))).json()["data"]
    assert [(i["stripe_invoice_id"], i["status"]) for i in invoices] == [(invoice, "paid")]
    listed = (await billing.client.get("/v1/stripe/events/failed", headers=tokens.service())).json()["data"]
    assert event_id not in {e["stripe_event_id"] for e in listed}
    assert (await billing.client.post(replay, headers=tokens.service())).status_code == 409
    unknown = await billing.client.post("/v1/stripe/events/evt_nope/replay", headers=tokens.service())
    assert unknown.status_code == 404


async def test_an_adjustment_a_failed_run_left_proposed_is_applied_once_by_the_next_run(
    own_database: str, signing_key: rsa.RSAPrivateKey, tokens: Tokens
) -> None:
    settings = BillingSettings(database_url=own_database, stripe_webhook_secret=WEBHOOK_SECRET, log_level="WARNING")
    stripe = FakeStripe()
    async with billing_app(settings, signing_key, stripe) as billing:
        user = uuid.uuid4()
        await price_rows(billing, tokens, user)
        at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
        await post(billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=300, timestamp=at)])
        period = Period.of(billing.clock.now()).label

        crashed = (await start(billing, tokens, period)).json()["id"]
        stripe.down_for = {"create_invoice_item"}  # the adjustment is proposed, then Stripe fails
        with pytest.raises(ConnectionError):
            await billing.run_jobs(RUN_RECONCILIATION)
        (left,) = (await run_of(billing, tokens, crashed))["adjustments"]
        assert (left["status"], left["amount_minor"]) == ("proposed", 300)

        stripe.down_for = set()
        billing.clock.advance(minutes=6)
        retried = (await start(billing, tokens, period)).json()["id"]
        await billing.run_jobs(RUN_RECONCILIATION)
        assert (await run_of(billing, tokens, crashed))["adjustments"][0]["status"] == "applied"
        assert (await run_of(billing, tokens, retried))["adjustments"] == []  # nothing proposed twice
        assert list(stripe.invoice_items.items()) == [
            (f"adjustment-{left['id']}", (stripe.customer_keys[f"customer-{user}"], 300))
        ]
