"""The invoice cache, written only by Stripe's webhooks, newest fact first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import billing_invoices
from mlp.billing.domain.stripe_objects import InvoiceSnapshot

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
