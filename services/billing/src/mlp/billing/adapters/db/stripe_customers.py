"""Users' Stripe customers (one each), linked on creation and unlinked when Stripe deletes one."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.tables import stripe_customers


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

    async def link(self, user_id: uuid.UUID, stripe_customer_id: str, email: str | None = None) -> str:
        await self._connection.execute(
            insert(stripe_customers)
            .values(user_id=user_id, stripe_customer_id=stripe_customer_id, email=email)
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
