"""What happens on Stripe's side of the stand-in, answered with the events Stripe would send:
the user completes a Checkout (the subscription starts), Stripe's clock closes a period (the
invoice of the customer's metered usage, each line billed by its price's terms).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from stripe_standin import StripeState
from stripe_standin_objects import line_amount


def _event(state: StripeState, kind: str, obj: dict[str, Any], at: datetime) -> dict[str, Any]:
    state.events += 1
    created = int(at.timestamp()) + state.events  # Stripe's order of facts
    return {
        "id": f"evt_{state.events}",
        "object": "event",
        "type": kind,
        "created": created,
        "data": {"object": obj},
    }


def complete_checkout(state: StripeState, session_id: str, at: datetime, period_end: datetime) -> list[dict[str, Any]]:
    """The user pays on the Checkout page: the subscription starts; the events Stripe sends."""
    with state.lock:
        session = state.catalogue.sessions[session_id]
        number = len(state.subscriptions) + 1
        span = {"current_period_start": int(at.timestamp()), "current_period_end": int(period_end.timestamp())}
        items = [
            {"id": f"si_{number}_{i}", "price": state.catalogue.prices[item["price"]], **span}
            for i, item in enumerate(session["line_items"])
        ]
        subscription = {
            "id": f"sub_{number}",
            "object": "subscription",
            "customer": session["customer"],
            "status": "active",
            "cancel_at_period_end": False,
            "items": {"object": "list", "data": items},
        }
        state.subscriptions[subscription["id"]] = subscription
        session.update(status="complete", subscription=subscription["id"])
        return [
            _event(state, "customer.subscription.created", subscription, at),
            _event(state, "checkout.session.completed", session, at),
        ]


def close_period(state: StripeState, customer: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Stripe's clock reaches the period's end: the invoice of the customer's metered usage, finalized."""
    with state.lock:
        lines = []
        for subscription in state.subscriptions.values():
            if subscription["customer"] != customer or subscription["status"] != "active":
                continue
            for item in subscription["items"]["data"]:
                meter = state.catalogue.meters[item["price"]["recurring"]["meter"]]
                usage = sum(
                    (
                        Decimal(e["payload[value]"])
                        for e in state.meter_events.values()
                        if e["event_name"] == meter["event_name"]
                        and e["payload[stripe_customer_id]"] == customer
                        and start.timestamp() <= int(e["timestamp"]) < end.timestamp()
                    ),
                    Decimal(0),
                )
                amount = line_amount(item["price"], usage)
                lines.append(
                    {
                        "id": f"il_{item['id']}",
                        "object": "line_item",
                        "amount": amount,
                        "quantity": str(usage),
                        "description": meter["display_name"],
                    }
                )
        total = sum(line["amount"] for line in lines)
        invoice = {
            "id": f"in_{len(state.invoices) + 1}",
            "object": "invoice",
            "customer": customer,
            "status": "open",
            "currency": "usd",
            "subtotal": total,
            "total": total,
            "amount_due": total,
            "amount_paid": 0,
            "period_start": int(start.timestamp()),
            "period_end": int(end.timestamp()),
            "lines": {"object": "list", "data": lines, "has_more": False},
        }
        state.invoices.append(invoice)
        return _event(state, "invoice.finalized", invoice, end)
