"""The real Stripe adapter (the stripe SDK) against a local stand-in: the requests it sends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import stripe
from stripe_standin import StripeState, stripe_standin

from mlp.billing.adapters.stripe.gateway import StripeSdkGateway
from mlp.billing.domain.stripe_objects import MeterEvent


@pytest.fixture
def stripe_api() -> Iterator[tuple[StripeSdkGateway, StripeState]]:
    with stripe_standin() as (base, state):
        yield StripeSdkGateway("sk_test_standin", base), state


async def test_customer_creation_sends_the_user_and_an_idempotency_key(
    stripe_api: tuple[StripeSdkGateway, StripeState],
) -> None:
    gateway, state = stripe_api
    user = uuid.uuid4()
    first = await gateway.create_customer(user, "a@example.com", idempotency_key=f"customer-{user}")
    again = await gateway.create_customer(user, "a@example.com", idempotency_key=f"customer-{user}")
    assert first == again
    sent = state.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/customers")
    assert sent.form == {"metadata[user_id]": str(user), "email": "a@example.com"}
    assert sent.headers["Idempotency-Key"] == f"customer-{user}"
    assert sent.headers["Authorization"] == "Bearer sk_test_standin"


async def test_a_meter_event_carries_our_identifier_and_exact_value(
    stripe_api: tuple[StripeSdkGateway, StripeState],
) -> None:
    gateway, state = stripe_api
    event = MeterEvent(
        uuid.uuid4(), "evt-1", "inference.tokens.input", Decimal("1500.250"), datetime(2026, 11, 2, tzinfo=UTC)
    )
    await gateway.send_meter_event(event, "cus_9")
    sent = state.requests[0]
    assert sent.path == "/v1/billing/meter_events"
    assert sent.form == {
        "event_name": "inference_tokens_input",
        "identifier": event.identifier,
        "timestamp": str(int(event.occurred_at.timestamp())),
        "payload[stripe_customer_id]": "cus_9",
        "payload[value]": "1500.25",
    }
    assert sent.headers["Idempotency-Key"] == f"meter-{event.identifier}"
    assert len(event.identifier) <= 100


async def test_adjustments_become_invoice_items_or_credit_notes(
    stripe_api: tuple[StripeSdkGateway, StripeState],
) -> None:
    gateway, state = stripe_api
    customer = await gateway.create_customer(uuid.uuid4(), None, idempotency_key="customer-a")
    state.invoices = [{"id": "in_1", "object": "invoice", "customer": customer}]
    item = await gateway.create_invoice_item(customer, 250, "USD", "Usage adjustment 2026-11", "adjustment-a")
    note = await gateway.create_credit_note("in_1", 100, "over-billed", "adjustment-b")
    assert item.startswith("ii_")
    assert note.startswith("cn_")
    _, item_request, note_request = state.requests
    assert (item_request.path, item_request.form) == (
        "/v1/invoiceitems",
        {"customer": customer, "amount": "250", "currency": "usd", "description": "Usage adjustment 2026-11"},
    )
    assert note_request.path == "/v1/credit_notes"
    assert note_request.form["invoice"] == "in_1"
    assert note_request.form["lines[0][type]"] == "custom_line_item"
    assert note_request.form["lines[0][unit_amount]"] == "100"
    assert note_request.headers["Idempotency-Key"] == "adjustment-b"


async def test_what_stripe_refuses_the_stand_in_refuses(stripe_api: tuple[StripeSdkGateway, StripeState]) -> None:
    gateway, _ = stripe_api
    with pytest.raises(stripe.InvalidRequestError, match="No such customer"):
        await gateway.create_invoice_item("cus_nobody", 250, "USD", "adjustment", "adjustment-c")
    with pytest.raises(stripe.InvalidRequestError, match="No such invoice"):
        await gateway.create_credit_note("in_nobody", 100, "over-billed", "adjustment-d")
    customer = await gateway.create_customer(uuid.uuid4(), None, idempotency_key="customer-b")
    await gateway.create_invoice_item(customer, 250, "USD", "adjustment", "adjustment-e")
    with pytest.raises(stripe.IdempotencyError, match="same parameters"):  # the key of another request
        await gateway.create_invoice_item(customer, 999, "USD", "adjustment", "adjustment-e")
    with pytest.raises(stripe.InvalidRequestError, match="No such meter"):
        await gateway.create_price("eval.rows", "USD", "mtr_nope", {"unit_amount_decimal": "1"}, "price-x")
    meter = await gateway.create_meter("eval.rows", "meter-eval.rows")
    with pytest.raises(stripe.InvalidRequestError, match="already exists"):
        await gateway.create_meter("eval.rows", "meter-again")
    with pytest.raises(stripe.InvalidRequestError, match="last tier"):
        await gateway.create_price(
            "eval.rows",
            "USD",
            meter,
            {"billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": 5}]},
            "p",
        )
    with pytest.raises(stripe.InvalidRequestError, match="No such price"):
        await gateway.create_checkout_session(customer, ["price_nope"], "https://a.test/ok", "https://a.test/no")


async def test_invoice_lines_of_the_period_are_summed(stripe_api: tuple[StripeSdkGateway, StripeState]) -> None:
    gateway, state = stripe_api
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)

    def invoice(status: str, at: datetime, *amounts: int) -> dict[str, object]:
        lines = [{"id": f"il_{i}", "object": "line_item", "amount": a} for i, a in enumerate(amounts)]
        return {
            "id": f"in_{uuid.uuid4().hex[:6]}",
            "object": "invoice",
            "customer": "cus_1",
            "status": status,
            "period_start": int(at.timestamp()),
            "lines": {"object": "list", "data": lines, "has_more": False},
        }

    state.invoices = [
        invoice("paid", start, 100, 50),
        invoice("void", start, 999),
        invoice("open", datetime(2026, 10, 1, tzinfo=UTC), 7),
    ]
    assert await gateway.invoice_lines_total("cus_1", start, end) == 150
    assert state.requests[0].path == "/v1/invoices"
    assert state.requests[0].form["customer"] == "cus_1"


async def test_a_stripe_outage_raises_so_the_job_retries(stripe_api: tuple[StripeSdkGateway, StripeState]) -> None:
    gateway, state = stripe_api
    state.fail_next = 1
    with pytest.raises(Exception, match="outage"):
        await gateway.create_customer(uuid.uuid4(), None, idempotency_key="customer-x")
