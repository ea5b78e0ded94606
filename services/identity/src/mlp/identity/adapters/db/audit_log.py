"""The audit trail in ``identity.operation_events``; an event id is stored once."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import RowMapping, and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.identity.adapters.db.tables import operation_events as events
from mlp.identity.domain.audit import AuditQuery, OperationEvent

_COLUMNS = [events.c[name] for name in OperationEvent.__dataclass_fields__]


def _event(row: RowMapping) -> OperationEvent:
    return OperationEvent(**row)


class SqlAuditLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, batch: list[OperationEvent]) -> int:
        if not batch:
            return 0
        statement = (
            insert(events).values([asdict(e) for e in batch]).on_conflict_do_nothing(index_elements=[events.c.event_id])
        )
        inserted = await self._conn.execute(statement.returning(events.c.event_id))
        return len(inserted.all())

    async def query(self, query: AuditQuery) -> list[OperationEvent]:
        conditions = [events.c.user_id == query.user_id]
        optional = {
            events.c.action: query.action,
            events.c.resource_type: query.resource_type,
            events.c.resource_id: query.resource_id,
        }
        conditions += [column == value for column, value in optional.items() if value is not None]
        if query.since is not None:
            conditions.append(events.c.occurred_at >= query.since)
        if query.until is not None:
            conditions.append(events.c.occurred_at < query.until)
        if query.before is not None:
            at, event_id = query.before
            conditions.append(
                or_(events.c.occurred_at < at, and_(events.c.occurred_at == at, events.c.event_id < event_id))
            )
        statement = (
            select(*_COLUMNS)
            .where(*conditions)
            .order_by(events.c.occurred_at.desc(), events.c.event_id.desc())
            .limit(query.limit)
        )
        return [_event(row) for row in (await self._conn.execute(statement)).mappings()]
