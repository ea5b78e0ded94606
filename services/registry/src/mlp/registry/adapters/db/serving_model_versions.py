"""Reads the model registry's tables (same service) to check that a version exists and is the user's."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.registry.adapters.db.tables_models import model_versions, models
from mlp.registry.domain.deployments import ModelVersionRef, served_model_of

_v = model_versions.c


class SqlModelVersions:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersionRef | None:
        query = (
            select(_v.model_id, _v.id, _v.version, _v.artifact_uri)
            .join(models, models.c.id == _v.model_id)
            .where(
                _v.id == version_id,
                _v.user_id == user_id,
                _v.deleted_at.is_(None),
                models.c.deleted_at.is_(None),
            )
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return ModelVersionRef(row.model_id, row.id, row.version, served_model_of(row.artifact_uri)) if row else None
