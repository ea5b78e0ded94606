"""Model versions in ``registry.model_versions``; numbers come from the model's ``last_version`` counter."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.runtime.driver_statements import DriverStatement
from mlp.registry.adapters.db.model_statements import CALLER, PerRef
from mlp.registry.adapters.db.model_version_numbering import NUMBERED_INSERT, numbered_insert_params
from mlp.registry.adapters.db.models_rows import (
    LIVE_MODEL,
    LIVE_VERSION,
    VERSION_COLUMNS,
    VERSIONS_WITH_MODEL,
    model_ref,
    to_version,
)
from mlp.registry.adapters.db.models_search import version_conditions
from mlp.registry.adapters.db.tables import model_aliases, model_versions, models
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import ModelRef, ModelVersion, NewVersion


def _owned(user_id: uuid.UUID, ref: ModelRef) -> tuple[ColumnElement[bool], ...]:
    return (model_ref(ref), models.c.user_id == user_id, LIVE_MODEL, model_versions.c.user_id == user_id, LIVE_VERSION)


def _owned_by(model: ColumnElement[bool]) -> tuple[ColumnElement[bool], ...]:
    return (model, models.c.user_id == CALLER, LIVE_MODEL, model_versions.c.user_id == CALLER, LIVE_VERSION)


def _model_id(model: ColumnElement[bool]) -> ScalarSelect[uuid.UUID]:
    """The model's id, found first (an InitPlan): the version is then one index lookup, whatever
    the planner's statistics say (fresh tables' made it scan all of the user's versions)."""
    return select(models.c.id).where(model, models.c.user_id == CALLER, LIVE_MODEL).correlate(None).scalar_subquery()


def _pointed(model: ColumnElement[bool]) -> ScalarSelect[uuid.UUID]:
    return (
        select(model_aliases.c.version_id)
        .where(model_aliases.c.model_id == _model_id(model), model_aliases.c.alias == bindparam("alias"))
        .scalar_subquery()
    )


_SELECT = select(*VERSION_COLUMNS).select_from(VERSIONS_WITH_MODEL)
_GET = PerRef.build(
    lambda model: DriverStatement(
        _SELECT.where(
            *_owned_by(model),
            model_versions.c.model_id == _model_id(model),
            model_versions.c.version == bindparam("number"),
        )
    )
)
_BY_ID = DriverStatement(
    _SELECT.where(
        model_versions.c.id == bindparam("version_id"), model_versions.c.user_id == CALLER, LIVE_VERSION, LIVE_MODEL
    )
)
_BY_ALIAS = PerRef.build(
    lambda model: DriverStatement(_SELECT.where(*_owned_by(model), model_versions.c.id == _pointed(model)))
)


class SqlVersionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion, now: datetime) -> ModelVersion | None:
        params = numbered_insert_params(user_id, ref, request, now)
        row = (await self._conn.execute(NUMBERED_INSERT[ref], params)).mappings().first()
        return to_version({**row, "aliases": []}) if row else None  # a new version has no alias yet

    async def get(self, user_id: uuid.UUID, ref: ModelRef, number: int) -> ModelVersion | None:
        return await self._one(_GET[ref], {"model": ref, "caller": user_id, "number": number})

    async def by_id(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersion | None:
        return await self._one(_BY_ID, {"version_id": version_id, "caller": user_id})

    async def by_alias(self, user_id: uuid.UUID, ref: ModelRef, alias: str) -> ModelVersion | None:
        return await self._one(_BY_ALIAS[ref], {"model": ref, "caller": user_id, "alias": alias})

    async def search(
        self, user_id: uuid.UUID, query: SearchQuery, model_id: uuid.UUID | None = None
    ) -> list[ModelVersion]:
        statement = (
            select(*VERSION_COLUMNS)
            .select_from(VERSIONS_WITH_MODEL)
            .where(model_versions.c.user_id == user_id, LIVE_VERSION, LIVE_MODEL, *version_conditions(query))
            .order_by(models.c.name, model_versions.c.version.desc())
            .limit(query.limit)
        )
        if model_id is not None:
            statement = statement.where(model_versions.c.model_id == model_id)
        return [to_version(row) for row in (await self._conn.execute(statement)).mappings()]

    async def update(
        self, user_id: uuid.UUID, ref: ModelRef, number: int, changes: dict[str, Any], now: datetime
    ) -> ModelVersion | None:
        return await self._update(user_id, ref, number, {**changes, "updated_at": now})

    async def set_tag(
        self, user_id: uuid.UUID, ref: ModelRef, number: int, key: str, value: str | None, now: datetime
    ) -> bool:
        tags = model_versions.c.tags
        new_tags = tags.op("-")(key) if value is None else tags.op("||")(func.jsonb_build_object(key, value))
        return await self._update(user_id, ref, number, {"tags": new_tags, "updated_at": now}) is not None

    async def soft_delete(self, user_id: uuid.UUID, version_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            delete(model_aliases).where(model_aliases.c.version_id == version_id, model_aliases.c.user_id == user_id)
        )
        await self._conn.execute(
            update(model_versions)
            .where(model_versions.c.id == version_id, model_versions.c.user_id == user_id)
            .values(deleted_at=now, updated_at=now)
        )

    async def _one(self, statement: DriverStatement, params: dict[str, Any]) -> ModelVersion | None:
        row = await statement.fetchrow(self._conn, params)
        return to_version(row) if row else None

    async def _update(
        self, user_id: uuid.UUID, ref: ModelRef, number: int, values: dict[str, Any]
    ) -> ModelVersion | None:
        statement = (
            update(model_versions)
            .where(models.c.id == model_versions.c.model_id, *_owned(user_id, ref), model_versions.c.version == number)
            .values(values)
            .returning(*VERSION_COLUMNS)
        )
        row = (await self._conn.execute(statement)).mappings().first()
        return to_version(row) if row else None
