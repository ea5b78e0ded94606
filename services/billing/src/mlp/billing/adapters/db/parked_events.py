"""Parked usage events: the refused events of platform services, until a replay resolves them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.metadata import as_dict
from mlp.billing.adapters.db.tables import parked_usage_events as parked
from mlp.billing.domain.parked import ParkedEvent

_LISTED = (
    parked.c.id,
    parked.c.source,
    parked.c.event_id,
    parked.c.user_id,
    parked.c.event,
    parked.c.status_code,
    parked.c.reason,
    parked.c.attempts,
    parked.c.parked_at,
    parked.c.last_tried_at,
)


class SqlParkedEvents:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def park(self, events: Sequence[ParkedEvent]) -> None:
        """Park each event once per (source, digest): parked again, it counts one attempt more."""
        unique = {(e.source, e.digest): e for e in events}
        statement = insert(parked).values(
            [
                {
                    "source": e.source,
                    "event_id": e.event_id,
                    "user_id": e.user_id,
                    "event": e.event,
                    "event_digest": e.digest,
                    "status_code": e.status_code,
                    "reason": e.reason,
                }
                for e in unique.values()
            ]
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                constraint="uq_parked_usage_events_event",
                set_={
                    "status_code": statement.excluded.status_code,
                    "reason": statement.excluded.reason,
                    "attempts": parked.c.attempts + 1,
                    "last_tried_at": func.now(),
                },
            )
        )

    async def oldest(self, limit: int, source: str | None) -> list[dict[str, Any]]:
        query = select(*_LISTED).order_by(parked.c.parked_at, parked.c.id).limit(limit)
        if source is not None:
            query = query.where(parked.c.source == source)
        return [as_dict(r) for r in await self._connection.execute(query)]

    async def take(self, ids: Sequence[uuid.UUID] | None, limit: int) -> list[dict[str, Any]]:
        """The events to replay: these ids, or the oldest ``limit``."""
        query = select(*_LISTED).order_by(parked.c.parked_at, parked.c.id).limit(limit)
        if ids is not None:
            query = query.where(parked.c.id.in_(ids))
        return [as_dict(r) for r in await self._connection.execute(query)]

    async def remove(self, ids: Sequence[uuid.UUID]) -> None:
        await self._connection.execute(delete(parked).where(parked.c.id.in_(ids)))

    async def purge_user(self, user_id: uuid.UUID) -> None:
        await self._connection.execute(delete(parked).where(parked.c.user_id == user_id))
