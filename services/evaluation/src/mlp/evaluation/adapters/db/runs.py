"""Runs in ``evaluation.eval_runs``: the pinned dataset version, a snapshot of the criteria, progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.paging import after_id
from mlp.evaluation.adapters.db.tables import eval_runs as table
from mlp.evaluation.application.ports import Progress
from mlp.evaluation.domain.criteria import CriterionSnapshot
from mlp.evaluation.domain.runs import FINISHED, EvalRun, RunStatus, RunTarget

_TARGET = tuple(RunTarget.__dataclass_fields__)
_PLAIN = tuple(name for name in EvalRun.__dataclass_fields__ if name not in ("target", "criteria"))
_COLUMNS = [*(table.c[name] for name in (*_PLAIN, *_TARGET)), table.c.criteria]
_UNFINISHED = table.c.status.in_(("queued", "running"))


def _run(row: RowMapping) -> EvalRun:
    criteria = tuple(CriterionSnapshot(uuid.UUID(c["id"]), c["name"], c["kind"], c["config"]) for c in row["criteria"])
    target = RunTarget(**{name: row[name] for name in _TARGET})
    plain = {name: row[name] for name in _PLAIN}
    plain["caller_scopes"] = tuple(row["caller_scopes"]) if row["caller_scopes"] is not None else None
    return EvalRun(**plain, target=target, criteria=criteria)


def _values(run: EvalRun) -> dict[str, Any]:
    values = {name: getattr(run, name) for name in _PLAIN}
    values.update({name: getattr(run.target, name) for name in _TARGET})
    values["criteria"] = [{"id": str(c.id), "name": c.name, "kind": c.kind, "config": c.config} for c in run.criteria]
    values["criterion_ids"] = [c.id for c in run.criteria]
    values["caller_scopes"] = list(run.caller_scopes) if run.caller_scopes is not None else None
    return values


class SqlRunRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, run: EvalRun) -> None:
        await self._conn.execute(insert(table).values(**_values(run)))

    async def get(self, user_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun | None:
        return await self._one(table.c.id == run_id, table.c.user_id == user_id)

    async def get_for_worker(self, run_id: uuid.UUID) -> EvalRun | None:
        return await self._one(table.c.id == run_id)

    async def list_for_user(
        self,
        user_id: uuid.UUID,
        limit: int,
        after: uuid.UUID | None,
        eval_id: uuid.UUID | None = None,
        descending: bool = True,
        statuses: tuple[str, ...] = (),
    ) -> list[EvalRun]:
        query = select(*_COLUMNS).where(table.c.user_id == user_id, table.c.deleted_at.is_(None))
        if eval_id is not None:
            query = query.where(table.c.eval_id == eval_id)
        if statuses:
            query = query.where(table.c.status.in_(statuses))
        query = after_id(query, table, after, descending=descending).limit(limit)
        return [_run(row) for row in (await self._conn.execute(query)).mappings()]

    async def start(self, run_id: uuid.UUID, at: datetime) -> EvalRun | None:
        statement = (
            update(table)
            .where(table.c.id == run_id, _UNFINISHED)
            .values(
                status="running",
                attempts=table.c.attempts + 1,
                started_at=func.coalesce(table.c.started_at, at),
                heartbeat_at=at,
                updated_at=at,
            )
            .returning(*_COLUMNS)
        )
        row = (await self._conn.execute(statement)).mappings().first()
        return _run(row) if row else None

    async def record_progress(self, run_id: uuid.UUID, progress: Progress, at: datetime) -> bool:
        statement = (
            update(table)
            .where(table.c.id == run_id)
            .values(
                total_rows=progress.total_rows,
                completed_rows=progress.completed_rows,
                failed_rows=progress.failed_rows,
                heartbeat_at=at,
                updated_at=at,
            )
            .returning(table.c.status, table.c.cancel_requested_at)
        )
        row = (await self._conn.execute(statement)).first()
        return row is None or row.status == "cancelled" or row.cancel_requested_at is not None

    async def request_cancel(self, user_id: uuid.UUID, run_id: uuid.UUID, at: datetime) -> EvalRun | None:
        """A queued run is cancelled at once; a running one is asked to stop (its worker ends it)."""
        mine = (table.c.id == run_id, table.c.user_id == user_id)
        await self._conn.execute(update(table).where(*mine, _UNFINISHED).values(cancel_requested_at=at, updated_at=at))
        await self._conn.execute(
            update(table).where(*mine, table.c.status == "queued").values(status="cancelled", finished_at=at)
        )
        return await self.get(user_id, run_id)

    async def finish(self, run_id: uuid.UUID, status: RunStatus, error: str | None, at: datetime) -> None:
        statement = (
            update(table)
            .where(table.c.id == run_id, table.c.status.not_in(tuple(FINISHED)))
            .values(status=status, error=error, finished_at=at, heartbeat_at=at, updated_at=at)
        )
        await self._conn.execute(statement)

    async def delete(self, user_id: uuid.UUID, run_id: uuid.UUID) -> bool:
        statement = delete(table).where(table.c.id == run_id, table.c.user_id == user_id)
        return (await self._conn.execute(statement)).rowcount == 1

    async def unfinished_of_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        query = select(table.c.id).where(table.c.user_id == user_id, _UNFINISHED)
        return list((await self._conn.execute(query)).scalars())

    async def _one(self, *conditions: Any) -> EvalRun | None:
        query = select(*_COLUMNS).where(*conditions, table.c.deleted_at.is_(None))
        row = (await self._conn.execute(query)).mappings().first()
        return _run(row) if row else None
