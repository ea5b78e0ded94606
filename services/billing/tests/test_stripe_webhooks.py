"""POST /v1/stripe/webhook: signatures checked by the SDK, stored once, processed order-proof by the worker."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
import uuid
from typing import Any

from billing_harness import WEBHOOK_SECRET, Billing, Tokens

from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT

PERIOD_START = 1793491200  # 2026-11-01


def signed(payload: bytes, at: int | None = None, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"stripe-signature": f"t={timestamp},v1={mac}", "content-type": "application/json"}


def invoice_event(
    event_id: str,
    kind: str,
    created: int,
    invoice_id: str,
    customer: str,
    status: str,
    paid: int = 0,
    period_start: int = PERIOD_START,
) -> bytes:
    invoice = {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "status": status,
        "currency": "usd",
        "subtotal": 1200,
        "total": 1200,
        "amount_due": 1200,
        "amount_paid": paid,
        "period_start": period_start,
        "period_end": period_start + 30 * 86400,
        "hosted_invoice_url": f"https://invoice.stripe.test/{invoice_id}" if status != "draft" else None,
        "lines": {"object": "list", "data": [{"id": "il_1", "amount": 1200, "description": "tokens", "quantity": 3}]},
    }
    body = {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": created,
        "livemode": False,
        "data": {"object": invoice},
    }
    return json.dumps(body).encode()


def lifecycle(tag: str, customer: str) -> list[bytes]:
    """An invoice's life in Stripe's order: created, finalized, a failed payment, paid."""
    invoice = f"in_{tag}"
    return [
        invoice_event(f"evt_{tag}_1", "invoice.created", 1000, invoice, customer, "draft"),
        invoice_event(f"evt_{tag}_2", "invoice.finalized", 1010, invoice, customer, "open"),
        invoice_event(f"evt_{tag}_3", "invoice.payment_failed", 1020, invoice, customer, "open"),
        invoice_event(f"evt_{tag}_4", "invoice.paid", 1020, invoice, customer, "paid", paid=1200),
    ]


async def deliver(billing: Billing, payload: bytes) -> Any:
    return await billing.client.post("/v1/stripe/webhook", content=payload, headers=signed(payload))


async def invoices_of(billing: Billing, tokens: Tokens, user: uuid.UUID) -> list[dict[str, Any]]:
    body: dict[str, Any] = (await billing.client.get("/v1/invoices", headers=tokens.user(user))).json()
    return [
        {
            k: v
            for k, v in i.items()
            if k not in ("id", "stripe_invoice_id", "hosted_invoice_url", "created_at", "updated_at")
        }
        for i in body["data"]
    ]


async def test_shuffled_repeated_concurrent_deliveries_end_like_one_ordered_delivery(
    billing: Billing, tokens: Tokens
) -> None:
    ordered_user, shuffled_user = uuid.uuid4(), uuid.uuid4()
    ordered_customer = await billing.cases.customer_links.ensure(ordered_user)
    shuffled_customer = await billing.cases.customer_links.ensure(shuffled_user)

    for payload in lifecycle(uuid.uuid4().hex[:8], ordered_customer):
        assert (await deliver(billing, payload)).status_code == 200
        await billing.run_jobs(PROCESS_STRIPE_EVENT)

    deliveries = lifecycle(uuid.uuid4().hex[:8], shuffled_customer) * 5
    random.Random(7).shuffle(deliveries)
    for first, second in zip(deliveries[::2], deliveries[1::2], strict=True):
        answers = await asyncio.gather(deliver(billing, first), deliver(billing, second))
        assert [a.status_code for a in answers] == [200, 200]
    jobs = await billing.take_jobs(PROCESS_STRIPE_EVENT)
    assert len(jobs) == 4  # one per distinct event, whatever the deliveries
    random.Random(3).shuffle(jobs)
    for job in jobs:
        await billing.cases.stripe_webhooks.process(json.loads(job)["stripe_event_id"])

    ordered, shuffled = (
        await invoices_of(billing, tokens, ordered_user),
        await invoices_of(billing, tokens, shuffled_user),
    )
    assert ordered == shuffled
    assert ordered[0]["status"] == "paid"
    assert ordered[0]["amount_paid_minor"] == 1200
    alerts = (await billing.client.get("/v1/alerts", headers=tokens.user(shuffled_user))).json()["data"]
    assert [a["kind"] for a in alerts] == ["payment_failed"]
    other = await billing.client.get("/v1/invoices", headers=tokens.user(uuid.uuid4()))
    assert other.json()["data"] == []


async def test_bad_or_stale_signatures_are_refused_and_nothing_is_stored(billing: Billing) -> None:
    payload = invoice_event(f"evt_{uuid.uuid4().hex[:8]}", "invoice.created", 1000, "in_x", "cus_x", "draft")
    tampered = payload.replace(b"1200", b"1")
    attempts = [
        (tampered, signed(payload)),
        (payload, signed(payload, secret="whsec_other")),
        (payload, signed(payload, at=int(time.time()) - 301)),
        (payload, {"content-type": "application/json"}),
    ]
    for body, headers in attempts:
        refused = await billing.client.post("/v1/stripe/webhook", content=body, headers=headers)
        assert refused.status_code == 400
        assert refused.json()["type"] == "urn:mlp:problem:invalid-signature"
    async with billing.engine.connect() as conn:
        stored = await conn.exec_driver_sql(
            "SELECT count(*) FROM billing.stripe_webhook_events WHERE stripe_event_id = $1",
            (json.loads(payload)["id"],),
        )
        assert stored.scalar() == 0


async def test_customer_deleted_unlinks_the_user(billing: Billing) -> None:
    user = uuid.uuid4()
    customer = await billing.cases.customer_links.ensure(user)
    payload = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:8]}",
            "object": "event",
            "type": "customer.deleted",
            "created": 1,
            "data": {"object": {"id": customer, "object": "customer"}},
        }
    ).encode()
    first, again = await deliver(billing, payload), await deliver(billing, payload)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    await billing.run_jobs(PROCESS_STRIPE_EVENT)
    async with billing.engine.connect() as conn:
        linked = await conn.exec_driver_sql("SELECT count(*) FROM billing.stripe_customers WHERE user_id = $1", (user,))
        assert linked.scalar() == 0


async def test_an_invoice_of_a_customer_nobody_owns_is_kept_as_failed(billing: Billing) -> None:
    event_id = f"evt_{uuid.uuid4().hex[:8]}"
    payload = invoice_event(event_id, "invoice.created", 1000, f"in_{uuid.uuid4().hex[:6]}", "cus_nobody", "draft")
    assert (await deliver(billing, payload)).status_code == 200
    await billing.run_jobs(PROCESS_STRIPE_EVENT)  # does not raise: no retry can link it
    async with billing.engine.connect() as conn:
        found = await conn.exec_driver_sql(
            "SELECT status, error FROM billing.stripe_webhook_events WHERE stripe_event_id = $1", (event_id,)
        )
        status, error = found.one()
    assert status == "failed"
    assert "no user" in error
