"""Criteria in ``evaluation.criterion_definitions`` (soft-deleted; names unique among live ones)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.paging import after_id
from mlp.evaluation.adapters.db.tables import criterion_definitions as table
from mlp.evaluation.domain.criteria import Criterion
from mlp.evaluation.domain.errors import Conflict

_FIELDS = tuple(Criterion.__dataclass_fields__)
_COLUMNS = [table.c[name] for name in _FIELDS]
_LIVE = table.c.deleted_at.is_(None)


def _criterion(row: RowMapping) -> Criterion:
    return Criterion(**{name: row[name] for name in _FIELDS})


class SqlCriterionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, criterion: Criterion) -> None:
        values = {name: getattr(criterion, name) for name in _FIELDS}
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(table).values(**values))
        except IntegrityError as exc:
            raise Conflict("you already have a criterion of that name", field="name") from exc

    async def get(self, user_id: uuid.UUID, criterion_id: uuid.UUID) -> Criterion | None:
        query = select(*_COLUMNS).where(table.c.id == criterion_id, table.c.user_id == user_id, _LIVE)
        row = (await self._conn.execute(query)).mappings().first()
        return _criterion(row) if row else None

    async def get_many(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Criterion]:
        query = select(*_COLUMNS).where(table.c.id.in_(list(ids)), table.c.user_id == user_id, _LIVE)
        return [_criterion(row) for row in (await self._conn.execute(query)).mappings()]

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[Criterion]:
        query = after_id(select(*_COLUMNS).where(table.c.user_id == user_id, _LIVE), table, after).limit(limit)
        return [_criterion(row) for row in (await self._conn.execute(query)).mappings()]

    async def update(self, criterion: Criterion) -> None:
        values = {name: getattr(criterion, name) for name in _FIELDS if name not in ("id", "user_id", "created_at")}
        statement = update(table).where(table.c.id == criterion.id, table.c.user_id == criterion.user_id, _LIVE)
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(statement.values(**values))
        except IntegrityError as exc:
            raise Conflict("you already have a criterion of that name", field="name") from exc

    async def delete(self, user_id: uuid.UUID, criterion_id: uuid.UUID, at: datetime) -> bool:
        statement = (
            update(table)
            .where(table.c.id == criterion_id, table.c.user_id == user_id, _LIVE)
            .values(deleted_at=at, updated_at=at)
        )
        return (await self._conn.execute(statement)).rowcount == 1
