"""Stripe's webhook events as received (raw, once per Stripe event id) and how their processing went."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import stripe_webhook_events
from mlp.billing.domain.stripe_objects import StripeEvent


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

    async def of_status(self, status: str, limit: int) -> list[dict[str, Any]]:
        events = stripe_webhook_events.c
        rows = await self._connection.execute(
            select(events.stripe_event_id, events.type, events.status, events.error, events.attempts, events.created_at)
            .where(events.status == status)
            .order_by(events.created_at.desc())
            .limit(limit)
        )
        return [as_dict(r) for r in rows]

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
