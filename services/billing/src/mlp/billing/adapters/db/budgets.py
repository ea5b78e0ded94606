"""Budgets and the alerts they fired, on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import billing_alerts, budgets
from mlp.billing.domain.budgets import Budget
from mlp.common.runtime.database import raw_connection


class SqlBudgets:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: uuid.UUID) -> Budget | None:
        row = (await self._connection.execute(select(budgets).where(budgets.c.user_id == user_id))).first()
        if row is None:
            return None
        return Budget(
            user_id=row.user_id,
            monthly_amount_minor=row.monthly_amount_minor,
            currency=row.currency,
            thresholds=tuple(row.thresholds),
            webhook_url=row.webhook_url,
            webhook_secret=row.webhook_secret,
            hard_limit=row.hard_limit,
        )

    async def put(self, budget: Budget) -> None:
        values = {
            "monthly_amount_minor": budget.monthly_amount_minor,
            "currency": budget.currency,
            "thresholds": list(budget.thresholds),
            "webhook_url": budget.webhook_url,
            "webhook_secret": budget.webhook_secret,
            "hard_limit": budget.hard_limit,
        }
        statement = insert(budgets).values(user_id=budget.user_id, **values)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[budgets.c.user_id], set_={**values, "updated_at": statement.excluded.updated_at}
            )
        )

    async def delete(self, user_id: uuid.UUID) -> bool:
        result = await self._connection.execute(delete(budgets).where(budgets.c.user_id == user_id))
        return bool(result.rowcount)

    async def owners_among(self, user_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """On the raw connection: it runs with every ingested batch."""
        raw = await raw_connection(self._connection)
        rows = await raw.fetch("SELECT user_id FROM billing.budgets WHERE user_id = ANY($1::uuid[])", list(user_ids))
        return [r["user_id"] for r in rows]


class SqlAlerts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(
        self,
        user_id: uuid.UUID,
        kind: str,
        period_start: date,
        threshold: int,
        amount_minor: int,
        currency: str,
        details: dict[str, Any],
    ) -> uuid.UUID | None:
        result = await self._connection.execute(
            insert(billing_alerts)
            .values(
                user_id=user_id,
                kind=kind,
                period_start=period_start,
                threshold_percent=threshold,
                amount_minor=amount_minor,
                currency=currency,
                details=details,
            )
            .on_conflict_do_nothing(constraint="uq_billing_alerts_once")
            .returning(billing_alerts.c.id)
        )
        row = result.first()
        return None if row is None else row.id

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
        rows = await self._connection.execute(
            select(billing_alerts)
            .where(billing_alerts.c.user_id == user_id)
            .order_by(billing_alerts.c.created_at.desc())
            .limit(limit)
        )
        return [as_dict(r) for r in rows]

    async def purge_user(self, user_id: uuid.UUID) -> None:
        await self._connection.execute(delete(billing_alerts).where(billing_alerts.c.user_id == user_id))
