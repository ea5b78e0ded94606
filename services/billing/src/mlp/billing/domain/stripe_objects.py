"""What billing knows of Stripe's objects: meter events it sends, events and invoices it receives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

IDENTIFIER_NAMESPACE = uuid.UUID("6f1c9a55-2b7e-4c1d-9a43-0b7d2f6c8e10")

# Stripe's invoice lifecycle: a later status never goes back to an earlier one.
INVOICE_STATUS_RANK = {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}


def meter_event_name(metric: str) -> str:
    """Stripe meter event names allow letters, digits, ``_`` and ``-``: ``eval.rows`` -> ``eval_rows``."""
    return metric.replace(".", "_")


@dataclass(frozen=True, slots=True)
class MeterEvent:
    user_id: uuid.UUID
    event_id: str
    metric: str
    quantity: Decimal
    occurred_at: datetime
    source: str = ""

    @property
    def identifier(self) -> str:
        """Stripe's dedupe key, derived from our (user, source, event id) key so a retried push cannot
        bill twice: a name-based UUID (Stripe allows 100 characters; event ids alone may reach 128 and
        are unique only per user and source). Events stored before sources were recorded keep
        their (user, event id) name."""
        name = f"{self.user_id}:{self.source}:{self.event_id}" if self.source else f"{self.user_id}:{self.event_id}"
        return str(uuid.uuid5(IDENTIFIER_NAMESPACE, name))


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    """A Checkout Session the user completes on Stripe's page at ``url``."""

    id: str
    url: str


@dataclass(frozen=True, slots=True)
class StripeEvent:
    id: str
    type: str
    created: datetime
    livemode: bool
    object: dict[str, Any]

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> StripeEvent:
        return cls(
            id=str(payload["id"]),
            type=str(payload["type"]),
            created=datetime.fromtimestamp(int(payload["created"]), UTC),
            livemode=bool(payload.get("livemode", False)),
            object=dict(payload.get("data", {}).get("object", {})),
        )


def _at(seconds: Any) -> datetime:
    return datetime.fromtimestamp(int(seconds or 0), UTC)


@dataclass(frozen=True, slots=True)
class InvoiceSnapshot:
    """An invoice as one webhook event saw it; ``fact_at``/``status_rank`` order the snapshots."""

    stripe_invoice_id: str
    stripe_customer_id: str
    status: str
    currency: str
    subtotal_minor: int
    total_minor: int
    amount_due_minor: int
    amount_paid_minor: int
    period_start: datetime
    period_end: datetime
    hosted_invoice_url: str | None
    lines: list[dict[str, Any]]
    fact_at: datetime

    @property
    def status_rank(self) -> int:
        return INVOICE_STATUS_RANK.get(self.status, 0)

    @classmethod
    def from_event(cls, event: StripeEvent) -> InvoiceSnapshot:
        invoice = event.object
        lines = invoice.get("lines", {}).get("data", [])
        return cls(
            stripe_invoice_id=str(invoice["id"]),
            stripe_customer_id=str(invoice["customer"]),
            status=str(invoice.get("status") or "draft"),
            currency=str(invoice.get("currency", "usd")).upper(),
            subtotal_minor=int(invoice.get("subtotal", 0)),
            total_minor=int(invoice.get("total", 0)),
            amount_due_minor=int(invoice.get("amount_due", 0)),
            amount_paid_minor=int(invoice.get("amount_paid", 0)),
            period_start=_at(invoice.get("period_start")),
            period_end=_at(invoice.get("period_end")),
            hosted_invoice_url=invoice.get("hosted_invoice_url"),
            lines=[
                {
                    "id": line.get("id"),
                    "amount_minor": int(line.get("amount", 0)),
                    "description": line.get("description"),
                    "quantity": line.get("quantity"),
                }
                for line in lines
            ],
            fact_at=event.created,
        )
