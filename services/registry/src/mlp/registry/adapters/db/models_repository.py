"""Registered models in ``registry.models``; every statement is scoped by the caller's ``user_id``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.model_statements import CALLER, PerRef
from mlp.registry.adapters.db.models_rows import (
    LIVE_MODEL,
    LIVE_VERSION,
    MODEL_COLUMNS,
    VERSION_COLUMNS,
    VERSIONS_WITH_MODEL,
    model_ref,
    to_model,
    to_version,
)
from mlp.registry.adapters.db.models_search import model_conditions
from mlp.registry.adapters.db.tables import model_aliases, model_versions, models
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import ModelRef, ModelVersion, RegisteredModel
from mlp.registry.domain.models_errors import ModelAlreadyExists

UNIQUE_NAME = "uq_models_user_name"
_INSERT = insert(models)
_GET = PerRef.build(lambda model: select(*MODEL_COLUMNS).where(model, models.c.user_id == CALLER, LIVE_MODEL))


def name_taken(exc: IntegrityError, name: str, field: str) -> ModelAlreadyExists | IntegrityError:
    if UNIQUE_NAME in str(exc.orig):
        return ModelAlreadyExists(f"a registered model named '{name}' already exists", field=field)
    return exc


class SqlModelRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, model: RegisteredModel) -> RegisteredModel:
        columns = ("id", "user_id", "name", "description", "task", "tags", "created_at", "updated_at")
        try:
            await self._conn.execute(_INSERT, {k: getattr(model, k) for k in columns})
        except IntegrityError as exc:
            raise name_taken(exc, model.name, "name") from None
        return model

    async def get(self, user_id: uuid.UUID, ref: ModelRef) -> RegisteredModel | None:
        row = (await self._conn.execute(_GET[ref], {"model": ref, "caller": user_id})).mappings().first()
        return to_model(row) if row else None

    async def search(self, user_id: uuid.UUID, query: SearchQuery) -> list[RegisteredModel]:
        order = models.c.name.desc() if query.descending else models.c.name
        statement = (
            select(*MODEL_COLUMNS)
            .where(models.c.user_id == user_id, LIVE_MODEL, *model_conditions(query))
            .order_by(order)
            .limit(query.limit)
        )
        return [to_model(row) for row in (await self._conn.execute(statement)).mappings()]

    async def update(
        self, user_id: uuid.UUID, ref: ModelRef, changes: dict[str, Any], now: datetime
    ) -> RegisteredModel | None:
        statement = (
            update(models)
            .where(model_ref(ref), models.c.user_id == user_id, LIVE_MODEL)
            .values(**changes, updated_at=now)
            .returning(*MODEL_COLUMNS)
        )
        try:
            row = (await self._conn.execute(statement)).mappings().first()
        except IntegrityError as exc:
            raise name_taken(exc, str(changes.get("name")), "new_name") from None
        return to_model(row) if row else None

    async def set_tag(self, user_id: uuid.UUID, ref: ModelRef, key: str, value: str | None, now: datetime) -> bool:
        tags = (
            models.c.tags.op("-")(key) if value is None else models.c.tags.op("||")(func.jsonb_build_object(key, value))
        )
        statement = (
            update(models)
            .where(model_ref(ref), models.c.user_id == user_id, LIVE_MODEL)
            .values(tags=tags, updated_at=now)
            .returning(models.c.id)
        )
        return (await self._conn.execute(statement)).first() is not None

    async def soft_delete(self, user_id: uuid.UUID, model_id: uuid.UUID, now: datetime) -> None:
        owned = (model_aliases.c.model_id == model_id, model_aliases.c.user_id == user_id)
        await self._conn.execute(delete(model_aliases).where(*owned))
        await self._conn.execute(
            update(model_versions)
            .where(model_versions.c.model_id == model_id, model_versions.c.user_id == user_id, LIVE_VERSION)
            .values(deleted_at=now, updated_at=now)
        )
        await self._conn.execute(
            update(models).where(models.c.id == model_id, models.c.user_id == user_id).values(deleted_at=now)
        )

    async def latest_versions(
        self, user_id: uuid.UUID, model_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ModelVersion]]:
        if not model_ids:
            return {}
        archived = model_versions.c.status == "archived"
        statement = (
            select(*VERSION_COLUMNS)
            .select_from(VERSIONS_WITH_MODEL)
            .where(model_versions.c.model_id.in_(list(model_ids)), model_versions.c.user_id == user_id, LIVE_VERSION)
            .ext(distinct_on(model_versions.c.model_id, archived))
            .order_by(model_versions.c.model_id, archived, model_versions.c.version.desc())
        )
        latest: dict[uuid.UUID, list[ModelVersion]] = {model_id: [] for model_id in model_ids}
        for row in (await self._conn.execute(statement)).mappings():
            latest[row["model_id"]].append(to_version(row))
        return latest
