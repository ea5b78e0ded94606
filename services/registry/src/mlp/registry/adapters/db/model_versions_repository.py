"""Model versions in ``registry.model_versions``; numbers come from the model's ``last_version`` counter."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.models_rows import (
    LIVE_MODEL,
    LIVE_VERSION,
    VERSION_COLUMNS,
    VERSION_TABLE_COLUMNS,
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


class SqlVersionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion, now: datetime) -> ModelVersion | None:
        # The UPDATE locks the model's row until commit: concurrent creates queue here and each
        # gets the next number; a rolled-back create leaves a gap, never a duplicate.
        bumped = (
            await self._conn.execute(
                update(models)
                .where(model_ref(ref), models.c.user_id == user_id, LIVE_MODEL)
                .values(last_version=models.c.last_version + 1, updated_at=now)
                .returning(models.c.id, models.c.name, models.c.last_version)
            )
        ).first()
        if bumped is None:
            return None
        values = {
            "model_id": bumped.id,
            "user_id": user_id,
            "version": bumped.last_version,
            "description": request.description,
            "artifact_uri": request.artifact.uri,
            "artifact_file_id": request.artifact.file_id,
            "source_kind": request.source.kind,
            "source_tune_job_id": request.source.tune_job_id,
            "source_run_uri": request.source.run_uri,
            "run_id": request.source.run_id,
            "status": request.status,
            "status_message": request.status_message,
            "params": request.params,
            "metrics": request.metrics,
            "tags": request.tags,
            "created_at": now,
            "updated_at": now,
        }
        inserted = insert(model_versions).values(values).returning(*VERSION_TABLE_COLUMNS)
        row = (await self._conn.execute(inserted)).mappings().one()
        return to_version({**row, "model_name": bumped.name, "aliases": []})  # a new version has no alias yet

    async def get(self, user_id: uuid.UUID, ref: ModelRef, number: int) -> ModelVersion | None:
        return await self._one(*_owned(user_id, ref), model_versions.c.version == number)

    async def by_id(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersion | None:
        return await self._one(
            model_versions.c.id == version_id, model_versions.c.user_id == user_id, LIVE_VERSION, LIVE_MODEL
        )

    async def by_alias(self, user_id: uuid.UUID, ref: ModelRef, alias: str) -> ModelVersion | None:
        pointed = (
            select(model_aliases.c.version_id)
            .where(model_aliases.c.model_id == models.c.id, model_aliases.c.alias == alias)
            .scalar_subquery()
        )
        return await self._one(*_owned(user_id, ref), model_versions.c.id == pointed)

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

    async def _one(self, *where: ColumnElement[bool]) -> ModelVersion | None:
        query = select(*VERSION_COLUMNS).select_from(VERSIONS_WITH_MODEL).where(*where)
        row = (await self._conn.execute(query)).mappings().first()
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
