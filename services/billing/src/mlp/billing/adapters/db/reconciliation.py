"""Reconciliation runs and their adjustments on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import reconciliation_adjustments, reconciliation_runs

AWAITING_APPROVAL = "awaiting_approval"


def _shown(row: Any) -> dict[str, Any]:
    """An adjustment as the use cases see it: one proposed that waits for approval is ``awaiting_approval``."""
    found = as_dict(row)
    if found["status"] == "proposed" and found.pop("approval") == "required":
        found["status"] = AWAITING_APPROVAL
    found.pop("approval", None)
    return found


class SqlReconciliation:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def create_run(self, period_start: datetime, period_end: datetime) -> uuid.UUID | None:
        """A queued run, or None while another run of the period is unfinished."""
        result = await self._connection.execute(
            insert(reconciliation_runs)
            .values(period_start=period_start, period_end=period_end)
            .on_conflict_do_nothing()
            .returning(reconciliation_runs.c.id)
        )
        row = result.first()
        return None if row is None else row.id

    async def get_run(self, run_id: uuid.UUID) -> dict[str, Any] | None:
        row = (
            await self._connection.execute(select(reconciliation_runs).where(reconciliation_runs.c.id == run_id))
        ).first()
        return None if row is None else as_dict(row)

    async def list_runs(self, limit: int) -> list[dict[str, Any]]:
        rows = await self._connection.execute(
            select(reconciliation_runs).order_by(reconciliation_runs.c.created_at.desc()).limit(limit)
        )
        return [as_dict(r) for r in rows]

    async def set_run(self, run_id: uuid.UUID, **values: Any) -> None:
        await self._connection.execute(
            update(reconciliation_runs)
            .where(reconciliation_runs.c.id == run_id)
            .values(**values, updated_at=text("now()"), heartbeat_at=text("now()"))
        )

    async def fail_stale(
        self, period_start: datetime, period_end: datetime, heartbeat_before: datetime
    ) -> list[uuid.UUID]:
        """Mark the period's running runs that stopped heart-beating ``failed``, keeping their last error."""
        runs = reconciliation_runs.c
        last_beat = func.coalesce(runs.heartbeat_at, runs.created_at)
        result = await self._connection.execute(
            update(reconciliation_runs)
            .where(
                runs.period_start == period_start,
                runs.period_end == period_end,
                runs.status == "running",
                last_beat < heartbeat_before,
            )
            .values(
                status="failed",
                finished_at=text("now()"),
                updated_at=text("now()"),
                error=func.concat_ws(
                    "; ",
                    runs.error,
                    func.concat("no heartbeat since ", func.coalesce(runs.heartbeat_at, runs.created_at)),
                ),
            )
            .returning(runs.id)
        )
        return [row.id for row in result]

    async def accounted_total(self, user_id: uuid.UUID, period_start: datetime, period_end: datetime) -> int:
        """What earlier runs of this period already adjusted for the user: applied, or waiting for approval."""
        total = await self._connection.scalar(
            select(func.coalesce(func.sum(reconciliation_adjustments.c.amount_minor), 0))
            .select_from(reconciliation_adjustments.join(reconciliation_runs))
            .where(
                reconciliation_adjustments.c.user_id == user_id,
                or_(
                    reconciliation_adjustments.c.status == "applied",
                    reconciliation_adjustments.c.approval == "required",
                ),
                reconciliation_runs.c.period_start == period_start,
                reconciliation_runs.c.period_end == period_end,
            )
        )
        return int(total or 0)

    async def add_adjustment(
        self, run_id: uuid.UUID, user_id: uuid.UUID, amount_minor: int, currency: str, reason: str, status: str
    ) -> uuid.UUID:
        """``status`` ``proposed``, or ``awaiting_approval`` (stored as proposed, approval required)."""
        waits = status == AWAITING_APPROVAL
        result = await self._connection.execute(
            insert(reconciliation_adjustments)
            .values(
                run_id=run_id,
                user_id=user_id,
                amount_minor=amount_minor,
                currency=currency,
                reason=reason,
                status="proposed" if waits else status,
                approval="required" if waits else None,
            )
            .returning(reconciliation_adjustments.c.id)
        )
        created: uuid.UUID = result.one().id
        return created

    async def mark_applied(self, adjustment_id: uuid.UUID, stripe_object_id: str) -> None:
        await self._connection.execute(
            update(reconciliation_adjustments)
            .where(reconciliation_adjustments.c.id == adjustment_id)
            .values(
                status="applied", stripe_object_id=stripe_object_id, applied_at=text("now()"), updated_at=text("now()")
            )
        )

    async def adjustment(self, adjustment_id: uuid.UUID) -> dict[str, Any] | None:
        """One adjustment, with its run's ``period_start``."""
        row = (
            await self._connection.execute(
                select(reconciliation_adjustments, reconciliation_runs.c.period_start)
                .select_from(reconciliation_adjustments.join(reconciliation_runs))
                .where(reconciliation_adjustments.c.id == adjustment_id)
            )
        ).first()
        return None if row is None else _shown(row)

    async def approve(self, adjustment_id: uuid.UUID) -> None:
        await self._connection.execute(
            update(reconciliation_adjustments)
            .where(
                reconciliation_adjustments.c.id == adjustment_id, reconciliation_adjustments.c.approval == "required"
            )
            .values(approval="approved", updated_at=text("now()"))
        )

    async def proposed(self, user_id: uuid.UUID, period_start: datetime, period_end: datetime) -> list[dict[str, Any]]:
        """The user's adjustments of the period that some run proposed (and that need no approval, or
        have it) but did not mark applied."""
        rows = await self._connection.execute(
            select(reconciliation_adjustments)
            .select_from(reconciliation_adjustments.join(reconciliation_runs))
            .where(
                reconciliation_adjustments.c.user_id == user_id,
                reconciliation_adjustments.c.status == "proposed",
                reconciliation_adjustments.c.approval.is_distinct_from("required"),
                reconciliation_runs.c.period_start == period_start,
                reconciliation_runs.c.period_end == period_end,
            )
            .order_by(reconciliation_adjustments.c.created_at)
        )
        return [_shown(r) for r in rows]

    async def adjustments(self, run_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self._connection.execute(
            select(reconciliation_adjustments)
            .where(reconciliation_adjustments.c.run_id == run_id)
            .order_by(reconciliation_adjustments.c.created_at)
        )
        return [_shown(r) for r in rows]
