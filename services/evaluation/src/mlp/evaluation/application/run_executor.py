"""Executes one run by id: what a queue worker calls. Resumable, bounded, cancellable.

Rows already recorded are skipped, so a run whose worker died is finished by the next one. A
reader task pages through the pinned dataset version, ``concurrency`` evaluator tasks take rows
from a bounded queue, and a writer task stores results every ``flush_interval_seconds`` in one
transaction with the run's progress (a heartbeat), the usage of the rows it newly wrote, and a
look at whether the run was cancelled. A row is recorded once: ``(run_id, row_number)`` is unique.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.common.contracts.datasets import DatasetRow
from mlp.evaluation.application.clock import Clock, utc_now
from mlp.evaluation.application.events import audit_event, usage_events
from mlp.evaluation.application.limits import ExecutionLimits
from mlp.evaluation.application.ports import Progress, UnitOfWork
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.upstream_ports import DatasetRows, UserTokens
from mlp.evaluation.domain.errors import InvalidInput, NotFound
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun, RunStatus


class RunStopped(Exception):
    """The run was cancelled while it ran."""


class RunExecutor:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        rows: DatasetRows,
        evaluator: RowEvaluator,
        tokens: UserTokens,
        limits: ExecutionLimits,
        clock: Clock = utc_now,
    ) -> None:
        self._parts = _Parts(uow, rows, evaluator, tokens, limits, clock)

    async def execute(self, run_id: uuid.UUID) -> None:
        async with self._parts.uow() as uow:
            run = await uow.runs.start(run_id, self._parts.clock())
            done = await uow.results.done_rows(run_id) if run else set()
            await uow.commit()
        if run is None:
            return  # finished (or cancelled while queued): nothing to do
        execution = _Execution(self._parts, run, done)
        status: RunStatus = "succeeded"
        error: str | None = None
        try:
            await execution.run()
        except* RunStopped:
            status = "cancelled"
        except* (NotFound, InvalidInput) as group:
            status, error = "failed", f"data: {group.exceptions[0]}"
        await execution.flush(final_status=status, error=error)


@dataclass(frozen=True)
class _Parts:
    uow: Callable[[], UnitOfWork]
    rows: DatasetRows
    evaluator: RowEvaluator
    tokens: UserTokens
    limits: ExecutionLimits
    clock: Clock


class _Execution:
    """The state of one attempt at a run."""

    def __init__(self, parts: _Parts, run: EvalRun, done: set[int]) -> None:
        self.parts = parts
        self.run_ = run
        self.done = done
        self.pending: list[RowResult] = []
        self.progress = Progress(run.total_rows, run.completed_rows, run.failed_rows)
        self.seen_rows = 0

    async def run(self) -> None:
        token = await self.parts.tokens.for_user(self.run_.user_id, *self.run_.delegated_scopes())
        prepared = self.parts.evaluator.prepare(self.run_)
        queue: asyncio.Queue[DatasetRow | None] = asyncio.Queue(maxsize=self.parts.limits.concurrency * 4)
        evaluators_done = asyncio.Event()

        async def read() -> None:
            cursor: str | None = None
            while True:
                run = self.run_
                page = await self.parts.rows.page(
                    token, run.dataset_id, run.dataset_version, cursor, self.parts.limits.page_size, run.data_kind
                )
                self.seen_rows += len(page.data)
                for row in page.data:
                    if row.row_number not in self.done:
                        await queue.put(row)
                if not page.has_more or page.next_cursor is None:
                    break
                cursor = page.next_cursor
            for _ in range(self.parts.limits.concurrency):
                await queue.put(None)

        async def evaluate() -> None:
            while (row := await queue.get()) is not None:
                result = await self.parts.evaluator.evaluate(self.run_, prepared, token, row)
                self.pending.append(result)  # the list of now: the writer swaps it while rows are evaluated

        async def evaluators() -> None:
            async with asyncio.TaskGroup() as group:
                for _ in range(self.parts.limits.concurrency):
                    group.create_task(evaluate())
            evaluators_done.set()

        async def write() -> None:
            while not evaluators_done.is_set():
                try:
                    await asyncio.wait_for(evaluators_done.wait(), self.parts.limits.flush_interval_seconds)
                except TimeoutError:
                    if await self.flush():
                        raise RunStopped from None

        async with asyncio.TaskGroup() as group:
            group.create_task(read())
            group.create_task(evaluators())
            group.create_task(write())

    async def flush(self, *, final_status: RunStatus | None = None, error: str | None = None) -> bool:
        """Write what is pending with the progress; True when the run was cancelled meanwhile."""
        batch, self.pending = self.pending, []
        now = self.parts.clock()
        run = self.run_
        async with self.parts.uow() as uow:
            written = await uow.results.add_many(batch)
            failed = sum(1 for r in written if r.error is not None)
            total = max(self.progress.total_rows, self.seen_rows)
            self.progress = Progress(
                total_rows=max(total, self.progress.completed_rows + self.progress.failed_rows + len(written)),
                completed_rows=self.progress.completed_rows + len(written) - failed,
                failed_rows=self.progress.failed_rows + failed,
            )
            cancelled = await uow.runs.record_progress(run.id, self.progress, now)
            if written:
                first = min(r.row_number for r in written)
                await uow.outbox.usage(usage_events(run.user_id, run.id, first, len(written), now))
            if final_status is not None:
                status: RunStatus = "cancelled" if cancelled and final_status == "succeeded" else final_status
                await uow.runs.finish(run.id, status, error, now)
                details = {"rows": self.progress.completed_rows + self.progress.failed_rows}
                await uow.outbox.audit(
                    [audit_event(run.user_id, f"eval_run.{status}", "eval_run", run.id, now, details)]
                )
            await uow.commit()
        self.done.update(r.row_number for r in written)
        return cancelled
