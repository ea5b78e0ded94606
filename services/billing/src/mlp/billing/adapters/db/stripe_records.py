"""Stripe's side on PostgreSQL: customer links, the invoice cache, raw webhook events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import billing_invoices, stripe_customers, stripe_webhook_events
from mlp.billing.domain.stripe_objects import InvoiceSnapshot, StripeEvent


class SqlStripeCustomers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def customer_of(self, user_id: uuid.UUID) -> str | None:
        return await self._connection.scalar(
            select(stripe_customers.c.stripe_customer_id).where(stripe_customers.c.user_id == user_id)
        )

    async def user_of(self, stripe_customer_id: str) -> uuid.UUID | None:
        return await self._connection.scalar(
            select(stripe_customers.c.user_id).where(stripe_customers.c.stripe_customer_id == stripe_customer_id)
        )

    async def link(self, user_id: uuid.UUID, stripe_customer_id: str) -> str:
        await self._connection.execute(
            insert(stripe_customers)
            .values(user_id=user_id, stripe_customer_id=stripe_customer_id)
            .on_conflict_do_nothing(index_elements=[stripe_customers.c.user_id])
        )
        linked = await self.customer_of(user_id)
        return linked or stripe_customer_id

    async def unlink_customer(self, stripe_customer_id: str) -> uuid.UUID | None:
        result = await self._connection.execute(
            delete(stripe_customers)
            .where(stripe_customers.c.stripe_customer_id == stripe_customer_id)
            .returning(stripe_customers.c.user_id)
        )
        row = result.first()
        return None if row is None else row.user_id

    async def unlink_user(self, user_id: uuid.UUID) -> None:
        await self._connection.execute(delete(stripe_customers).where(stripe_customers.c.user_id == user_id))


INVOICE_COLUMNS = (
    "id, stripe_invoice_id, status, currency, subtotal_minor, total_minor, amount_due_minor, amount_paid_minor,"
    " period_start, period_end, hosted_invoice_url, lines, created_at, updated_at"
)


class SqlInvoices:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def upsert_if_newer(self, user_id: uuid.UUID, invoice: InvoiceSnapshot) -> bool:
        """Insert, or overwrite only with a later fact: (event created, status rank) orders snapshots."""
        values = {
            "user_id": user_id,
            "stripe_invoice_id": invoice.stripe_invoice_id,
            "stripe_customer_id": invoice.stripe_customer_id,
            "status": invoice.status,
            "currency": invoice.currency,
            "subtotal_minor": invoice.subtotal_minor,
            "total_minor": invoice.total_minor,
            "amount_due_minor": invoice.amount_due_minor,
            "amount_paid_minor": invoice.amount_paid_minor,
            "period_start": invoice.period_start,
            "period_end": invoice.period_end,
            "hosted_invoice_url": invoice.hosted_invoice_url,
            "lines": invoice.lines,
            "source_event_created_at": invoice.fact_at,
            "status_rank": invoice.status_rank,
        }
        statement = insert(billing_invoices).values(**values)
        excluded = statement.excluded
        newer = text(
            "(EXCLUDED.source_event_created_at, EXCLUDED.status_rank)"
            " > (billing_invoices.source_event_created_at, billing_invoices.status_rank)"
        )
        updates = {k: getattr(excluded, k) for k in values if k not in ("user_id", "stripe_invoice_id")}
        result = await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[billing_invoices.c.stripe_invoice_id],
                set_={**updates, "updated_at": text("now()")},
                where=newer,
            ).returning(billing_invoices.c.id)
        )
        return result.first() is not None

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
        rows = await self._connection.execute(
            text(
                f"SELECT {INVOICE_COLUMNS} FROM billing.billing_invoices WHERE user_id = :u"
                " ORDER BY period_start DESC, created_at DESC LIMIT :n"
            ),
            {"u": user_id, "n": limit},
        )
        return [as_dict(r) for r in rows]

    async def get(self, user_id: uuid.UUID, invoice_id: uuid.UUID) -> dict[str, Any] | None:
        row = (
            await self._connection.execute(
                text(f"SELECT {INVOICE_COLUMNS} FROM billing.billing_invoices WHERE user_id = :u AND id = :i"),
                {"u": user_id, "i": invoice_id},
            )
        ).first()
        return None if row is None else as_dict(row)

    async def for_period(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        rows = await self._connection.execute(
            select(billing_invoices).where(
                billing_invoices.c.period_start >= start,
                billing_invoices.c.period_start < end,
                billing_invoices.c.status != "void",
            )
        )
        return [as_dict(r) for r in rows]


class SqlWebhookEvents:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def store_once(self, event: StripeEvent, payload: bytes) -> bool:
        result = await self._connection.execute(
            insert(stripe_webhook_events)
            .values(
                stripe_event_id=event.id,
                type=event.type,
                livemode=event.livemode,
                event_created_at=event.created,
                payload=msgspec.json.decode(payload),
                signature_verified=True,
            )
            .on_conflict_do_nothing(index_elements=[stripe_webhook_events.c.stripe_event_id])
            .returning(stripe_webhook_events.c.id)
        )
        return result.first() is not None

    async def load(self, stripe_event_id: str) -> tuple[StripeEvent, dict[str, Any]] | None:
        row = (
            await self._connection.execute(
                select(stripe_webhook_events.c.payload, stripe_webhook_events.c.status).where(
                    stripe_webhook_events.c.stripe_event_id == stripe_event_id
                )
            )
        ).first()
        if row is None:
            return None
        return StripeEvent.from_payload(row.payload), {"status": row.status}

    async def mark(self, stripe_event_id: str, status: str, error: str | None = None) -> None:
        await self._connection.execute(
            update(stripe_webhook_events)
            .where(stripe_webhook_events.c.stripe_event_id == stripe_event_id)
            .values(
                status=status,
                error=error,
                attempts=stripe_webhook_events.c.attempts + 1,
                processed_at=text("now()") if status == "processed" else None,
                updated_at=text("now()"),
            )
        )
