"""What evaluation's use cases need of their own storage: its tables and the outbox (other services:
``upstream_ports``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.evaluation.domain.criteria import Criterion
from mlp.evaluation.domain.evals import Eval
from mlp.evaluation.domain.reports import CriterionComparison, ResultFilter, RunAggregates, TrendPoint
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun, RunStatus


class CriterionRepository(Protocol):
    async def add(self, criterion: Criterion) -> None:
        """Raises ``Conflict`` when the user already has a criterion of that name."""
        ...

    async def get(self, user_id: uuid.UUID, criterion_id: uuid.UUID) -> Criterion | None: ...

    async def get_many(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Criterion]: ...

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[Criterion]: ...

    async def update(self, criterion: Criterion) -> None: ...

    async def delete(self, user_id: uuid.UUID, criterion_id: uuid.UUID, at: datetime) -> bool: ...


@dataclass(frozen=True)
class Progress:
    """What a worker writes with each batch of rows, and reads back (was the run cancelled?)."""

    total_rows: int
    completed_rows: int
    failed_rows: int


class RunRepository(Protocol):
    async def add(self, run: EvalRun) -> None: ...

    async def get(self, user_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun | None: ...

    async def get_for_worker(self, run_id: uuid.UUID) -> EvalRun | None:
        """Any user's run: only the worker, which got the id from the queue, asks this."""
        ...

    async def list_for_user(
        self,
        user_id: uuid.UUID,
        limit: int,
        after: uuid.UUID | None,
        eval_id: uuid.UUID | None = None,
        descending: bool = True,
        statuses: tuple[str, ...] = (),
    ) -> list[EvalRun]: ...

    async def start(self, run_id: uuid.UUID, at: datetime) -> EvalRun | None:
        """Mark a queued or running run running (one more attempt); None if it is finished."""
        ...

    async def record_progress(self, run_id: uuid.UUID, progress: Progress, at: datetime) -> bool:
        """Heartbeat with counts; True when the run was asked to stop (cancelled)."""
        ...

    async def request_cancel(self, user_id: uuid.UUID, run_id: uuid.UUID, at: datetime) -> EvalRun | None: ...

    async def finish(self, run_id: uuid.UUID, status: RunStatus, error: str | None, at: datetime) -> None:
        """Only an unfinished run changes (a run cancelled meanwhile stays cancelled)."""
        ...

    async def delete(self, user_id: uuid.UUID, run_id: uuid.UUID) -> bool: ...

    async def unfinished_of_user(self, user_id: uuid.UUID) -> list[uuid.UUID]: ...


class ResultRepository(Protocol):
    async def add_many(self, results: Sequence[RowResult]) -> list[RowResult]:
        """Insert rows not yet recorded (``ON CONFLICT DO NOTHING``); answers those inserted."""
        ...

    async def done_rows(self, run_id: uuid.UUID) -> set[int]: ...


class EvalRepository(Protocol):
    async def add(self, found: Eval) -> None: ...

    async def get(self, user_id: uuid.UUID, eval_id: uuid.UUID) -> Eval | None: ...

    async def list_for_user(
        self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None, descending: bool
    ) -> list[Eval]: ...

    async def update(self, user_id: uuid.UUID, eval_id: uuid.UUID, changes: dict[str, Any], at: datetime) -> None: ...

    async def delete(self, user_id: uuid.UUID, eval_id: uuid.UUID, at: datetime) -> bool: ...


class ResultQueries(Protocol):
    """The read side of results; callers check the run is the user's first."""

    async def page(self, run_id: uuid.UUID, where: ResultFilter) -> list[RowResult]: ...

    async def aggregates(self, run_id: uuid.UUID) -> RunAggregates: ...

    async def compare(self, base: uuid.UUID, head: uuid.UUID, max_rows: int) -> list[CriterionComparison]: ...

    async def trend(self, user_id: uuid.UUID, criterion_id: uuid.UUID, limit: int) -> list[TrendPoint]: ...


class EventOutbox(Protocol):
    """Events committed with the change they describe (the transactional outbox)."""

    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...

    async def usage(self, events: Sequence[UsageEventIn]) -> None: ...

    async def enqueue_run(self, run_id: uuid.UUID) -> None:
        """Queue the run for a worker, in the same transaction as the run's row."""
        ...


class UnitOfWork(Protocol):
    criteria: CriterionRepository
    runs: RunRepository
    results: ResultRepository
    reports: ResultQueries
    evals: EvalRepository
    outbox: EventOutbox

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...
