"""Fine-tuning jobs and their events in ``registry.tune_jobs`` / ``registry.tune_job_events``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
from mlp.registry.adapters.db.tables import model_versions, tune_job_events, tune_jobs
from mlp.registry.application.tune_ports import TuneJobRepository, TuneOutbox
from mlp.registry.domain.tune_jobs import TuneEvent, TuneJob

_FIELDS = (
    "id",
    "user_id",
    "model",
    "base_model_version_id",
    "training_file",
    "dataset_id",
    "training_dataset_version",
    "validation_file",
    "validation_dataset_version",
    "hyperparameters",
    "suffix",
    "status",
    "created_at",
    "external_job_id",
    "result_model_version_id",
    "fine_tuned_model",
    "trained_tokens",
    "error",
    "finished_at",
    "metadata",
)


def _values(job: TuneJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in _FIELDS}


def _job(row: Any) -> TuneJob:
    values = dict(row._mapping)
    return TuneJob(**{name: values[name] for name in _FIELDS})


def _event(row: Any) -> TuneEvent:
    return TuneEvent(row.id, row.job_id, row.user_id, row.created_at, row.level, row.message)


class SqlTuneJobRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, job: TuneJob) -> None:
        await self._conn.execute(insert(tune_jobs).values(**_values(job), started_at=None))

    async def get(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob | None:
        row = (
            await self._conn.execute(select(tune_jobs).where(tune_jobs.c.user_id == user_id, tune_jobs.c.id == job_id))
        ).first()
        return _job(row) if row is not None else None

    async def page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> list[TuneJob]:
        query = select(tune_jobs).where(tune_jobs.c.user_id == user_id)
        if after is not None:
            at = select(tune_jobs.c.created_at).where(tune_jobs.c.id == after).scalar_subquery()
            query = query.where(
                or_(tune_jobs.c.created_at < at, and_(tune_jobs.c.created_at == at, tune_jobs.c.id < after))
            )
        rows = await self._conn.execute(
            query.order_by(tune_jobs.c.created_at.desc(), tune_jobs.c.id.desc()).limit(limit)
        )
        return [_job(row) for row in rows]

    async def save(self, job: TuneJob) -> None:
        values = _values(job)
        for key in ("id", "user_id", "created_at"):
            values.pop(key)
        await self._conn.execute(update(tune_jobs).where(tune_jobs.c.id == job.id).values(**values))

    async def add_event(self, event: TuneEvent) -> None:
        await self._conn.execute(
            insert(tune_job_events).values(
                id=event.id,
                user_id=event.user_id,
                job_id=event.job_id,
                created_at=event.created_at,
                level=event.level,
                message=event.message,
            )
        )

    async def events(
        self, user_id: uuid.UUID, job_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> list[TuneEvent]:
        e = tune_job_events.c
        query = select(tune_job_events).where(e.user_id == user_id, e.job_id == job_id)
        if after is not None:
            at = select(e.created_at).where(e.id == after, e.job_id == job_id).scalar_subquery()
            query = query.where(or_(e.created_at < at, and_(e.created_at == at, e.id < after)))
        rows = await self._conn.execute(query.order_by(e.created_at.desc(), e.id.desc()).limit(limit))
        return [_event(row) for row in rows]

    async def model_of_version(self, version_id: uuid.UUID) -> uuid.UUID:
        query = select(model_versions.c.model_id).where(model_versions.c.id == version_id)
        model_id: uuid.UUID = (await self._conn.execute(query)).scalar_one()
        return model_id

    async def artifact_uri_of_version(self, version_id: uuid.UUID) -> str | None:
        query = select(model_versions.c.artifact_uri).where(model_versions.c.id == version_id)
        uri: str | None = (await self._conn.execute(query)).scalar_one()
        return uri

    async def version_made_by(self, job_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
        v = model_versions.c
        row = (await self._conn.execute(select(v.id, v.version).where(v.source_tune_job_id == job_id))).first()
        return (row.id, row.version) if row is not None else None


class SqlTuneUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], TuneOutbox]) -> None:
        super().__init__(engine)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.jobs: TuneJobRepository = SqlTuneJobRepository(conn)
        self.outbox: TuneOutbox = self._outbox_factory(conn)
