"""One transaction over evaluation's repositories and its outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.evaluation.adapters.db.criteria import SqlCriterionRepository
from mlp.evaluation.adapters.db.evals import SqlEvalRepository
from mlp.evaluation.adapters.db.result_queries import SqlResultQueries
from mlp.evaluation.adapters.db.results import SqlResultRepository
from mlp.evaluation.adapters.db.runs import SqlRunRepository
from mlp.evaluation.application.ports import (
    CriterionRepository,
    EvalRepository,
    EventOutbox,
    ResultQueries,
    ResultRepository,
    RunRepository,
)


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], EventOutbox]) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self._conn = conn = await self._engine.connect()
        await conn.begin()
        self.criteria: CriterionRepository = SqlCriterionRepository(conn)
        self.runs: RunRepository = SqlRunRepository(conn)
        self.results: ResultRepository = SqlResultRepository(conn)
        self.reports: ResultQueries = SqlResultQueries(conn)
        self.evals: EvalRepository = SqlEvalRepository(conn)
        self.outbox: EventOutbox = self._outbox_factory(conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
