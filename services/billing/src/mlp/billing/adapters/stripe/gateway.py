"""The Stripe port over the official SDK (``stripe.StripeClient``, async calls through httpx).

The SDK does no retries of its own (``max_network_retries=0``): the worker's jobs retry, each
call carrying an ``Idempotency-Key`` derived from our own ids, so a retry never creates a
second object in Stripe. Meter events carry our (user, event) key as ``identifier``, which
Stripe deduplicates on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import stripe

from mlp.billing.domain.stripe_objects import CheckoutLink, MeterEvent, meter_event_name


def _number(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class StripeSdkGateway:
    def __init__(self, api_key: str, api_base: str) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            http_client=stripe.HTTPXClient(),
            max_network_retries=0,
        )

    async def create_customer(self, user_id: uuid.UUID, email: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {"metadata": {"user_id": str(user_id)}}
        if email:
            params["email"] = email
        customer = await self._client.v1.customers.create_async(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
        return str(customer.id)

    async def send_meter_event(self, event: MeterEvent, stripe_customer_id: str) -> None:
        await self._client.v1.billing.meter_events.create_async(
            params={
                "event_name": meter_event_name(event.metric),
                "identifier": event.identifier,
                "timestamp": int(event.occurred_at.timestamp()),
                "payload": {"stripe_customer_id": stripe_customer_id, "value": _number(event.quantity)},
            },
            options={"idempotency_key": f"meter-{event.identifier}"},
        )

    async def invoice_lines_total(self, stripe_customer_id: str, period_start: datetime, period_end: datetime) -> int:
        """Sum of the lines of the customer's non-void invoices whose period starts in ``[start, end)``."""
        invoices = await self._client.v1.invoices.list_async(params={"customer": stripe_customer_id, "limit": 100})
        total = 0
        start, end = int(period_start.timestamp()), int(period_end.timestamp())
        for invoice in invoices.data:
            if invoice.status == "void" or not start <= int(invoice.period_start) < end:
                continue
            total += sum(int(line.amount) for line in invoice.lines.data)
        return total

    async def create_invoice_item(
        self, stripe_customer_id: str, amount_minor: int, currency: str, description: str, idempotency_key: str
    ) -> str:
        item = await self._client.v1.invoice_items.create_async(
            params={
                "customer": stripe_customer_id,
                "amount": amount_minor,
                "currency": currency.lower(),
                "description": description,
            },
            options={"idempotency_key": idempotency_key},
        )
        return str(item.id)

    async def create_credit_note(self, invoice_id: str, amount_minor: int, reason: str, idempotency_key: str) -> str:
        note = await self._client.v1.credit_notes.create_async(
            params={
                "invoice": invoice_id,
                "lines": [
                    {"type": "custom_line_item", "unit_amount": amount_minor, "quantity": 1, "description": reason}
                ],
            },
            options={"idempotency_key": idempotency_key},
        )
        return str(note.id)

    async def create_meter(self, metric: str, idempotency_key: str) -> str:
        meter = await self._client.v1.billing.meters.create_async(
            params={
                "display_name": metric,
                "event_name": meter_event_name(metric),
                "default_aggregation": {"formula": "sum"},
                "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
                "value_settings": {"event_payload_key": "value"},
            },
            options={"idempotency_key": idempotency_key},
        )
        return str(meter.id)

    async def create_price(
        self, metric: str, currency: str, meter_id: str, terms: dict[str, Any], idempotency_key: str
    ) -> str:
        params: dict[str, Any] = {
            "currency": currency.lower(),
            "product_data": {"name": metric, "metadata": {"metric": metric}},
            "recurring": {"interval": "month", "usage_type": "metered", "meter": meter_id},
            "metadata": {"metric": metric},
            **terms,
        }
        price = await self._client.v1.prices.create_async(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
        return str(price.id)

    async def create_checkout_session(
        self, stripe_customer_id: str, price_ids: Sequence[str], success_url: str, cancel_url: str
    ) -> CheckoutLink:
        session = await self._client.v1.checkout.sessions.create_async(
            params={
                "mode": "subscription",
                "customer": stripe_customer_id,
                # metered prices take no quantity: usage decides it
                "line_items": [{"price": price_id} for price_id in price_ids],
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
        return CheckoutLink(id=str(session.id), url=str(session.url))

    async def create_portal_session(self, stripe_customer_id: str, return_url: str) -> str:
        session = await self._client.v1.billing_portal.sessions.create_async(
            params={"customer": stripe_customer_id, "return_url": return_url}
        )
        return str(session.url)
