"""Reconciliation runs: differences become adjustments applied to Stripe once, however often a period is run."""

from __future__ import annotations

import uuid
from datetime import timedelta

from billing_harness import Billing, Tokens
from test_budgets import price_rows
from test_stripe_webhooks import deliver, invoice_event
from test_usage_ingestion import event, post

from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT, RUN_RECONCILIATION
from mlp.billing.domain.periods import Period


async def run_period(billing: Billing, tokens: Tokens, period: str) -> dict[str, object]:
    started = await billing.client.post("/v1/reconciliation-runs", json={"period": period}, headers=tokens.service())
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    again = await billing.client.post("/v1/reconciliation-runs", json={"period": period}, headers=tokens.service())
    assert again.status_code == 409
    await billing.run_jobs(RUN_RECONCILIATION)
    run = await billing.client.get(f"/v1/reconciliation-runs/{started.json()['id']}", headers=tokens.service())
    body: dict[str, object] = run.json()
    return body


async def test_a_period_run_twice_applies_each_difference_once(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    await price_rows(billing, tokens, user)
    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    await post(billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=1000, timestamp=at)])
    customer = await billing.cases.customer_links.ensure(user)
    billing.stripe.invoiced[customer] = 700
    period = Period.of(billing.clock.now()).label

    first = await run_period(billing, tokens, period)
    assert first["status"] == "succeeded"
    assert first["users_total"] == first["users_done"]
    mine = [a for a in first["adjustments"] if a["user_id"] == str(user)]  # type: ignore[union-attr]
    assert [(a["amount_minor"], a["status"]) for a in mine] == [(300, "applied")]

    second = await run_period(billing, tokens, period)
    assert [a for a in second["adjustments"] if a["user_id"] == str(user)] == []  # type: ignore[union-attr]
    assert [amount for c, amount in billing.stripe.invoice_items.values() if c == customer] == [300]

    billing.stripe.invoiced[customer] = 1500  # Stripe now bills more than we rated: credited back on its invoice
    starts = int(Period.of(billing.clock.now()).starts_at.timestamp())
    invoice_id = f"in_{uuid.uuid4().hex[:8]}"
    invoice = invoice_event(f"evt_{invoice_id}", "invoice.paid", 5, invoice_id, customer, "paid", 1500, starts)
    assert (await deliver(billing, invoice)).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)
    third = await run_period(billing, tokens, period)
    assert [a["amount_minor"] for a in third["adjustments"] if a["user_id"] == str(user)] == [-800]  # type: ignore[union-attr]
    assert list(billing.stripe.credit_notes.values()) == [(invoice_id, 800)]
    listed = (await billing.client.get("/v1/reconciliation-runs", headers=tokens.service())).json()["data"]
    assert {first["id"], second["id"], third["id"]} <= {r["id"] for r in listed}
    assert (await billing.client.get("/v1/reconciliation-runs", headers=tokens.user(user))).status_code == 403
