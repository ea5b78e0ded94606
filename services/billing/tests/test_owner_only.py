"""Every ``GET …/{id}`` of billing answers its owner and is a 404 to anyone else (never a 403: no hint it exists)."""

from __future__ import annotations

import uuid

from billing_harness import Billing, Tokens
from test_stripe_webhooks import deliver, invoice_event
from test_usage_ingestion import event, post

from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT


async def test_an_invoice_is_its_owners_only(billing: Billing, tokens: Tokens) -> None:
    owner, other = uuid.uuid4(), uuid.uuid4()
    customer = await billing.cases.customer_links.ensure(owner)
    invoice = f"in_{uuid.uuid4().hex[:8]}"
    assert (
        await deliver(billing, invoice_event(f"evt_{invoice}", "invoice.paid", 5, invoice, customer, "paid"))
    ).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)
    listed = (await billing.client.get("/v1/invoices", headers=tokens.user(owner))).json()["data"]
    invoice_id = listed[0]["id"]

    mine = await billing.client.get(f"/v1/invoices/{invoice_id}", headers=tokens.user(owner))
    assert (mine.status_code, mine.json()["stripe_invoice_id"]) == (200, invoice)
    theirs = await billing.client.get(f"/v1/invoices/{invoice_id}", headers=tokens.user(other))
    assert theirs.status_code == 404
    assert theirs.json()["type"] == "urn:mlp:problem:not-found"


async def test_a_usage_event_is_its_owners_only(billing: Billing, tokens: Tokens) -> None:
    owner, other = uuid.uuid4(), uuid.uuid4()
    sent = event(owner, billing)
    await post(billing, tokens.service(), [sent])

    mine = await billing.client.get(f"/v1/usage-events/{sent['event_id']}", headers=tokens.user(owner))
    assert (mine.status_code, mine.json()["event_id"]) == (200, sent["event_id"])
    theirs = await billing.client.get(f"/v1/usage-events/{sent['event_id']}", headers=tokens.user(other))
    assert theirs.status_code == 404
    assert theirs.json()["type"] == "urn:mlp:problem:not-found"


async def test_a_reconciliation_run_is_for_operators_only(billing: Billing, tokens: Tokens) -> None:
    started = await billing.client.post("/v1/reconciliation-runs", json={"period": "2020-01"}, headers=tokens.service())
    run_id = started.json()["id"]
    assert (await billing.client.get(f"/v1/reconciliation-runs/{run_id}", headers=tokens.service())).status_code == 200
    as_user = await billing.client.get(f"/v1/reconciliation-runs/{run_id}", headers=tokens.user(uuid.uuid4()))
    assert as_user.status_code == 403
