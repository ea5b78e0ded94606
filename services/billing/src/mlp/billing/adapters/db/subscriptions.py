"""The plan's Stripe prices per price book, and subscriptions as Stripe's webhooks keep them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import stripe_plan_prices, stripe_subscriptions
from mlp.billing.domain.subscriptions import SubscriptionSnapshot


class SqlPlanPrices:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def of_book(self, price_book_id: uuid.UUID) -> dict[str, str]:
        """Metric -> Stripe price id."""
        prices = stripe_plan_prices.c
        rows = await self._connection.execute(
            select(prices.metric, prices.stripe_price_id).where(prices.price_book_id == price_book_id)
        )
        return {r.metric: r.stripe_price_id for r in rows}

    async def meter_of(self, metric: str) -> str | None:
        prices = stripe_plan_prices.c
        return await self._connection.scalar(select(prices.stripe_meter_id).where(prices.metric == metric).limit(1))

    async def add(self, price_book_id: uuid.UUID, metric: str, meter_id: str, price_id: str) -> None:
        await self._connection.execute(
            insert(stripe_plan_prices)
            .values(price_book_id=price_book_id, metric=metric, stripe_meter_id=meter_id, stripe_price_id=price_id)
            .on_conflict_do_nothing()
        )


class SqlSubscriptions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def upsert_if_newer(self, user_id: uuid.UUID, snapshot: SubscriptionSnapshot) -> bool:
        values = {
            "user_id": user_id,
            "stripe_subscription_id": snapshot.stripe_subscription_id,
            "stripe_customer_id": snapshot.stripe_customer_id,
            "status": snapshot.status,
            "cancel_at_period_end": snapshot.cancel_at_period_end,
            "current_period_start": snapshot.current_period_start,
            "current_period_end": snapshot.current_period_end,
            "source_event_created_at": snapshot.fact_at,
            "source_event_rank": snapshot.fact_rank,
        }
        statement = insert(stripe_subscriptions).values(**values)
        newer = text(
            "(EXCLUDED.source_event_created_at, EXCLUDED.source_event_rank)"
            " > (stripe_subscriptions.source_event_created_at, stripe_subscriptions.source_event_rank)"
        )
        changed = {k: getattr(statement.excluded, k) for k in values if k not in ("user_id", "stripe_subscription_id")}
        result = await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[stripe_subscriptions.c.stripe_subscription_id],
                set_={**changed, "updated_at": text("now()")},
                where=newer,
            ).returning(stripe_subscriptions.c.id)
        )
        return result.first() is not None

    async def of_user(self, user_id: uuid.UUID) -> list[dict[str, Any]]:
        """The user's subscriptions, newest first."""
        subscriptions = stripe_subscriptions.c
        rows = await self._connection.execute(
            select(stripe_subscriptions)
            .where(subscriptions.user_id == user_id)
            .order_by(subscriptions.created_at.desc())
        )
        return [as_dict(r) for r in rows]
