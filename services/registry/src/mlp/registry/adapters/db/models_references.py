"""What models and versions depend on here: the files and tune jobs they name, the deployments that pin them."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.tables import deployments, files, model_versions, tune_jobs

RELEASED_STATUSES = ("stopped", "deleted")
"""Deployments in these states (or soft-deleted) no longer pin their version."""


class SqlUserResources:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def owns_file(self, user_id: uuid.UUID, file_id: uuid.UUID) -> bool:
        return await _exists(
            self._conn, files.c.id == file_id, files.c.user_id == user_id, files.c.deleted_at.is_(None)
        )

    async def owns_tune_job(self, user_id: uuid.UUID, tune_job_id: uuid.UUID) -> bool:
        return await _exists(self._conn, tune_jobs.c.id == tune_job_id, tune_jobs.c.user_id == user_id)


class SqlDeploymentsInUse:
    """Reads ``registry.deployments`` (the serving part's table) without knowing more of it than this."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def for_model(self, user_id: uuid.UUID, model_id: uuid.UUID) -> bool:
        versions = select(model_versions.c.id).where(model_versions.c.model_id == model_id)
        return await self._pinning(user_id, deployments.c.model_version_id.in_(versions))

    async def for_version(self, user_id: uuid.UUID, version_id: uuid.UUID) -> bool:
        serving = or_(deployments.c.model_version_id == version_id, deployments.c.canary_model_version_id == version_id)
        return await self._pinning(user_id, serving)

    async def _pinning(self, user_id: uuid.UUID, which: ColumnElement[bool]) -> bool:
        return await _exists(
            self._conn,
            which,
            deployments.c.user_id == user_id,
            deployments.c.deleted_at.is_(None),
            deployments.c.status.not_in(RELEASED_STATUSES),
        )


async def _exists(conn: AsyncConnection, *where: ColumnElement[bool]) -> bool:
    return bool((await conn.execute(select(exists().where(*where)))).scalar())
