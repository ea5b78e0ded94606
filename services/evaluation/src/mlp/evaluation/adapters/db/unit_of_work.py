"""One transaction over evaluation's repositories and its outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
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


class SqlUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], EventOutbox]) -> None:
        super().__init__(engine)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.criteria: CriterionRepository = SqlCriterionRepository(conn)
        self.runs: RunRepository = SqlRunRepository(conn)
        self.results: ResultRepository = SqlResultRepository(conn)
        self.reports: ResultQueries = SqlResultQueries(conn)
        self.evals: EvalRepository = SqlEvalRepository(conn)
        self.outbox: EventOutbox = self._outbox_factory(conn)
