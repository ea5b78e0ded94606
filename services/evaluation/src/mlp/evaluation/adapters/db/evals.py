"""OpenAI-compatible evals in ``evaluation.evals`` (soft-deleted)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.paging import after_id
from mlp.evaluation.adapters.db.tables import evals as table
from mlp.evaluation.domain.evals import Eval

_FIELDS = tuple(Eval.__dataclass_fields__)
_COLUMNS = [table.c[name] for name in _FIELDS]
_LIVE = table.c.deleted_at.is_(None)


def _eval(row: RowMapping) -> Eval:
    return Eval(**{name: row[name] for name in _FIELDS})


class SqlEvalRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, found: Eval) -> None:
        await self._conn.execute(insert(table).values(**{name: getattr(found, name) for name in _FIELDS}))

    async def get(self, user_id: uuid.UUID, eval_id: uuid.UUID) -> Eval | None:
        query = select(*_COLUMNS).where(table.c.id == eval_id, table.c.user_id == user_id, _LIVE)
        row = (await self._conn.execute(query)).mappings().first()
        return _eval(row) if row else None

    async def list_for_user(
        self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None, descending: bool
    ) -> list[Eval]:
        query = select(*_COLUMNS).where(table.c.user_id == user_id, _LIVE)
        query = after_id(query, table, after, descending=descending).limit(limit)
        return [_eval(row) for row in (await self._conn.execute(query)).mappings()]

    async def update(self, user_id: uuid.UUID, eval_id: uuid.UUID, changes: dict[str, Any], at: datetime) -> None:
        statement = update(table).where(table.c.id == eval_id, table.c.user_id == user_id, _LIVE)
        await self._conn.execute(statement.values(**changes, updated_at=at))

    async def delete(self, user_id: uuid.UUID, eval_id: uuid.UUID, at: datetime) -> bool:
        statement = update(table).where(table.c.id == eval_id, table.c.user_id == user_id, _LIVE)
        return (await self._conn.execute(statement.values(deleted_at=at, updated_at=at))).rowcount == 1
