"""Reading my runs' results: aggregates, filtered pages, comparisons of two runs, criterion trends."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.domain.errors import InvalidInput, NotFound
from mlp.evaluation.domain.reports import CriterionComparison, ResultFilter, RunAggregates, TrendPoint
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun


@dataclass(frozen=True)
class Comparison:
    base: EvalRun
    head: EvalRun
    criteria: list[CriterionComparison]


class Reports:
    def __init__(self, uow: Callable[[], UnitOfWork], max_compare_rows: int = 100) -> None:
        self._uow = uow
        self._max_compare_rows = max_compare_rows

    async def run_with_aggregates(self, user_id: uuid.UUID, run_id: uuid.UUID) -> tuple[EvalRun, RunAggregates]:
        async with self._uow() as uow:
            run = await _mine(uow, user_id, run_id, "run_id")
            return run, await uow.reports.aggregates(run_id)

    async def results(self, user_id: uuid.UUID, run_id: uuid.UUID, where: ResultFilter) -> list[RowResult]:
        async with self._uow() as uow:
            await _mine(uow, user_id, run_id, "run_id")
            return await uow.reports.page(run_id, where)

    async def compare(self, user_id: uuid.UUID, base_id: uuid.UUID, head_id: uuid.UUID) -> Comparison:
        async with self._uow() as uow:
            base = await _mine(uow, user_id, base_id, "base")
            head = await _mine(uow, user_id, head_id, "head")
            if base.dataset_id != head.dataset_id:
                raise InvalidInput("runs compared must be over the same dataset", field="head")
            criteria = await uow.reports.compare(base_id, head_id, self._max_compare_rows)
        return Comparison(base, head, criteria)

    async def trend(self, user_id: uuid.UUID, criterion_id: uuid.UUID, limit: int) -> list[TrendPoint]:
        async with self._uow() as uow:
            if await uow.criteria.get(user_id, criterion_id) is None:
                raise NotFound("no such criterion", field="criterion_id")
            return await uow.reports.trend(user_id, criterion_id, limit)


async def _mine(uow: UnitOfWork, user_id: uuid.UUID, run_id: uuid.UUID, field: str) -> EvalRun:
    run = await uow.runs.get(user_id, run_id)
    if run is None:
        raise NotFound("no such run", field=field)
    return run
