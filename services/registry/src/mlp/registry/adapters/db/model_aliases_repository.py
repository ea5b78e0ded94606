"""Aliases in ``registry.model_aliases`` (where each points now) and ``model_alias_events`` (their history)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, RowMapping, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.tables import model_alias_events, model_aliases
from mlp.registry.domain.models import AliasChange

_EVENT_COLUMNS = [model_alias_events.c[name] for name in ("alias", "version", "version_id", "changed_at")]
_UPSERT = upsert(model_aliases).values(
    model_id=bindparam("model"),
    user_id=bindparam("caller"),
    alias=bindparam("name"),
    version_id=bindparam("target"),
    created_at=bindparam("now"),
    updated_at=bindparam("now"),
)
_POINTED = (
    _UPSERT.on_conflict_do_update(
        constraint="uq_model_aliases_model_alias",
        set_={"version_id": _UPSERT.excluded.version_id, "updated_at": _UPSERT.excluded.updated_at},
    )
    .returning(
        model_aliases.c.model_id,
        model_aliases.c.user_id,
        model_aliases.c.alias,
        model_aliases.c.version_id,
        model_aliases.c.updated_at,
    )
    .cte("pointed")
)
_POINT_AND_RECORD = insert(model_alias_events).from_select(
    ["model_id", "user_id", "alias", "version_id", "version", "changed_at"],
    select(
        _POINTED.c.model_id,
        _POINTED.c.user_id,
        _POINTED.c.alias,
        _POINTED.c.version_id,
        bindparam("version", type_=Integer),
        _POINTED.c.updated_at,
    ),
)
"""One round trip: the upsert of the alias (a CTE) and the insert of its change into the history."""
_RECORD = insert(model_alias_events)


def _change(row: RowMapping) -> AliasChange:
    return AliasChange(**row)


class SqlAliasRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def point(self, user_id: uuid.UUID, model_id: uuid.UUID, change: AliasChange) -> None:
        params = {"model": model_id, "caller": user_id, "name": change.alias, "target": change.version_id}
        await self._conn.execute(_POINT_AND_RECORD, {**params, "version": change.version, "now": change.changed_at})

    async def remove(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str) -> bool:
        statement = (
            delete(model_aliases)
            .where(
                model_aliases.c.model_id == model_id, model_aliases.c.user_id == user_id, model_aliases.c.alias == alias
            )
            .returning(model_aliases.c.id)
        )
        return (await self._conn.execute(statement)).first() is not None

    async def pointing_at(self, user_id: uuid.UUID, model_id: uuid.UUID, version_id: uuid.UUID | None) -> list[str]:
        query = select(model_aliases.c.alias).where(
            model_aliases.c.model_id == model_id, model_aliases.c.user_id == user_id
        )
        if version_id is not None:
            query = query.where(model_aliases.c.version_id == version_id)
        return list((await self._conn.execute(query.order_by(model_aliases.c.alias))).scalars())

    async def record(self, user_id: uuid.UUID, model_id: uuid.UUID, changes: Sequence[AliasChange]) -> None:
        if changes:
            rows = [
                {
                    "model_id": model_id,
                    "user_id": user_id,
                    "alias": c.alias,
                    "version": c.version,
                    "version_id": c.version_id,
                    "changed_at": c.changed_at,
                }
                for c in changes
            ]
            await self._conn.execute(_RECORD, rows)

    async def at(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str, when: datetime) -> AliasChange | None:
        rows = await self._changes(user_id, model_id, alias, 1, model_alias_events.c.changed_at <= when)
        return rows[0] if rows else None

    async def history(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str, limit: int) -> list[AliasChange]:
        return await self._changes(user_id, model_id, alias, limit)

    async def _changes(
        self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str, limit: int, *where: object
    ) -> list[AliasChange]:
        query = (
            select(*_EVENT_COLUMNS)
            .where(
                model_alias_events.c.model_id == model_id,
                model_alias_events.c.user_id == user_id,
                model_alias_events.c.alias == alias,
                *where,  # type: ignore[arg-type]
            )
            .order_by(model_alias_events.c.changed_at.desc(), model_alias_events.c.id.desc())
            .limit(limit)
        )
        return [_change(row) for row in (await self._conn.execute(query)).mappings()]
