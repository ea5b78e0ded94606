"""In-memory fakes of evaluation's ports (the one place they live), for use-case tests.

Not named ``fakes.py``: the test directories of several services share one ``pythonpath``, where
identity's ``fakes`` module already is.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mlp.common.auth.principal import scope_grants
from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.datasets import DatasetColumn, DatasetRow, DatasetRowsPage
from mlp.common.contracts.usage import UsageEventIn
from mlp.evaluation.application.ports import Progress
from mlp.evaluation.application.upstream_ports import Completion, UpstreamError
from mlp.evaluation.domain.criteria import Criterion
from mlp.evaluation.domain.errors import Conflict, NotFound
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import FINISHED, EvalRun, RunStatus


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@dataclass
class Store:
    criteria: dict[uuid.UUID, Criterion] = field(default_factory=dict)
    deleted_criteria: set[uuid.UUID] = field(default_factory=set)
    runs: dict[uuid.UUID, EvalRun] = field(default_factory=dict)
    results: dict[tuple[uuid.UUID, int], RowResult] = field(default_factory=dict)
    audit: list[OperationEventIn] = field(default_factory=list)
    usage: list[UsageEventIn] = field(default_factory=list)
    queued: list[uuid.UUID] = field(default_factory=list)
    heartbeats: int = 0


class FakeCriteria:
    def __init__(self, store: Store) -> None:
        self.s = store

    def _live(self, user_id: uuid.UUID) -> list[Criterion]:
        return [c for c in self.s.criteria.values() if c.user_id == user_id and c.id not in self.s.deleted_criteria]

    async def add(self, criterion: Criterion) -> None:
        if any(c.name == criterion.name for c in self._live(criterion.user_id)):
            raise Conflict("you already have a criterion of that name", field="name")
        self.s.criteria[criterion.id] = criterion

    async def get(self, user_id: uuid.UUID, criterion_id: uuid.UUID) -> Criterion | None:
        return next((c for c in self._live(user_id) if c.id == criterion_id), None)

    async def get_many(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Criterion]:
        return [c for c in self._live(user_id) if c.id in ids]

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[Criterion]:
        mine = self._live(user_id)
        start = next((i + 1 for i, c in enumerate(mine) if c.id == after), 0) if after else 0
        return mine[start : start + limit]

    async def update(self, criterion: Criterion) -> None:
        self.s.criteria[criterion.id] = criterion

    async def delete(self, user_id: uuid.UUID, criterion_id: uuid.UUID, at: datetime) -> bool:
        if await self.get(user_id, criterion_id) is None:
            return False
        self.s.deleted_criteria.add(criterion_id)
        return True


class FakeRuns:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, run: EvalRun) -> None:
        self.s.runs[run.id] = run

    async def get(self, user_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun | None:
        run = self.s.runs.get(run_id)
        return run if run is not None and run.user_id == user_id else None

    async def get_for_worker(self, run_id: uuid.UUID) -> EvalRun | None:
        return self.s.runs.get(run_id)

    async def list_for_user(
        self,
        user_id: uuid.UUID,
        limit: int,
        after: uuid.UUID | None,
        eval_id: uuid.UUID | None = None,
        descending: bool = True,
        statuses: tuple[str, ...] = (),
    ) -> list[EvalRun]:
        runs = [r for r in self.s.runs.values() if r.user_id == user_id and eval_id in (None, r.eval_id)]
        runs = [r for r in runs if not statuses or r.status in statuses]
        return (runs[::-1] if descending else runs)[:limit]

    async def start(self, run_id: uuid.UUID, at: datetime) -> EvalRun | None:
        run = self.s.runs.get(run_id)
        if run is None or run.finished:
            return None
        self.s.runs[run_id] = run = replace(run, status="running", started_at=run.started_at or at)
        return run

    async def record_progress(self, run_id: uuid.UUID, progress: Progress, at: datetime) -> bool:
        self.s.heartbeats += 1
        run = self.s.runs[run_id]
        self.s.runs[run_id] = run = replace(
            run,
            total_rows=progress.total_rows,
            completed_rows=progress.completed_rows,
            failed_rows=progress.failed_rows,
        )
        return run.status == "cancelled" or run.cancel_requested_at is not None

    async def request_cancel(self, user_id: uuid.UUID, run_id: uuid.UUID, at: datetime) -> EvalRun | None:
        run = await self.get(user_id, run_id)
        if run is None or run.finished:
            return run
        status: RunStatus = "cancelled" if run.status == "queued" else run.status
        self.s.runs[run_id] = run = replace(run, cancel_requested_at=at, status=status)
        return run

    async def finish(self, run_id: uuid.UUID, status: RunStatus, error: str | None, at: datetime) -> None:
        run = self.s.runs[run_id]
        if run.status not in FINISHED:
            self.s.runs[run_id] = replace(run, status=status, error=error, finished_at=at)

    async def delete(self, user_id: uuid.UUID, run_id: uuid.UUID) -> bool:
        return self.s.runs.pop(run_id, None) is not None

    async def unfinished_of_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        return [r.id for r in self.s.runs.values() if r.user_id == user_id and not r.finished]


class FakeResults:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add_many(self, results: Sequence[RowResult]) -> list[RowResult]:
        fresh = [r for r in results if (r.run_id, r.row_number) not in self.s.results]
        self.s.results.update({(r.run_id, r.row_number): r for r in fresh})
        return fresh

    async def done_rows(self, run_id: uuid.UUID) -> set[int]:
        return {row for run, row in self.s.results if run == run_id}


class FakeOutbox:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self.s.audit.extend(events)

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        self.s.usage.extend(events)

    async def enqueue_run(self, run_id: uuid.UUID) -> None:
        self.s.queued.append(run_id)


class FakeUnitOfWork:
    """Writes land at once (no rollback): use-case tests check outcomes, SQL tests check atomicity."""

    def __init__(self, store: Store) -> None:
        self.criteria = FakeCriteria(store)
        self.runs = FakeRuns(store)
        self.results = FakeResults(store)
        self.outbox = FakeOutbox(store)

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


def fake_uow(store: Store) -> Callable[[], FakeUnitOfWork]:
    return lambda: FakeUnitOfWork(store)


@dataclass
class FakeDataset:
    owner: uuid.UUID
    rows: list[dict[str, Any]]
    columns: list[str]
    version: int = 1
    kind: str = "dataset"


class FakeDatasetRows:
    """registry's rows endpoint; the token is ``user:<uuid>`` (what FakeUserTokens mints)."""

    def __init__(self) -> None:
        self.datasets: dict[uuid.UUID, FakeDataset] = {}
        self.pages_read = 0

    def add(
        self, owner: uuid.UUID, rows: list[dict[str, Any]], columns: list[str] | None = None, kind: str = "dataset"
    ) -> uuid.UUID:
        dataset_id = uuid.uuid4()
        names = columns or sorted({k for r in rows for k in r})
        self.datasets[dataset_id] = FakeDataset(owner, rows, names, kind=kind)
        return dataset_id

    async def page(
        self,
        token: str,
        dataset_id: uuid.UUID,
        version: int | None,
        cursor: str | None,
        limit: int,
        kind: str = "dataset",
    ) -> DatasetRowsPage:
        dataset = self.datasets.get(dataset_id)
        owned = dataset is not None and token == f"user:{dataset.owner}" and dataset.kind == kind
        if dataset is None or not owned or version not in (None, dataset.version):
            raise NotFound("no such dataset", field="dataset_id")
        self.pages_read += 1
        start = int(cursor or 0)
        chunk = dataset.rows[start : start + limit]
        more = start + limit < len(dataset.rows)
        return DatasetRowsPage(
            dataset_id=dataset_id,
            version=dataset.version,
            columns=[DatasetColumn(name=c, type="string") for c in dataset.columns],
            data=[DatasetRow(row_number=start + i + 1, values=v) for i, v in enumerate(chunk)],
            has_more=more,
            next_cursor=str(start + limit) if more else None,
        )


class FakeChatModel:
    """Deployments as functions of the prompt; counts calls and concurrency; can be made slow."""

    def __init__(self, owner: uuid.UUID | None = None) -> None:
        self.owner = owner
        self.deployments: dict[str, Callable[[str], str]] = {}
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self.hang_on: str | None = None

    async def complete(
        self, token: str, model: str, messages: list[dict[str, str]], options: dict[str, Any]
    ) -> Completion:
        if model not in self.deployments or (self.owner is not None and token != f"user:{self.owner}"):
            raise UpstreamError("deployment_not_found", f"no deployment named {model}")
        prompt = messages[-1]["content"]
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hang_on is not None and self.hang_on in prompt:
                await asyncio.sleep(3600)
            await asyncio.sleep(self.delay)
            answer = self.deployments[model](prompt)
        finally:
            self.in_flight -= 1
        return Completion(answer, prompt_tokens=len(prompt.split()), completion_tokens=len(answer.split()))


class FakeDeployments:
    """Which user owns which deployment name (registry's ``GET /v1/models/{name}``)."""

    def __init__(self) -> None:
        self.owners: dict[str, set[uuid.UUID]] = {}

    def add(self, owner: uuid.UUID, name: str) -> None:
        self.owners.setdefault(name, set()).add(owner)

    async def exists(self, token: str, name: str) -> bool:
        return any(token == f"user:{owner}" for owner in self.owners.get(name, ()))


class FakeUserTokens:
    """Mints as identity does: the requested scopes the caller's cover, refused when none are."""

    def __init__(self) -> None:
        self.minted: list[tuple[uuid.UUID, tuple[str, ...]]] = []

    async def for_user(self, user_id: uuid.UUID, scopes: tuple[str, ...], caller_scopes: tuple[str, ...]) -> str:
        covered = tuple(s for s in scopes if any(scope_grants(held, s) for held in caller_scopes))
        if not covered:
            raise PermissionError("the caller holds none of the requested scopes")
        self.minted.append((user_id, covered))
        return f"user:{user_id}"


async def wait_until(predicate: Callable[[], bool], within: float = 5.0, step: float = 0.005) -> None:
    """Polls ``predicate`` (a test watching a task it started); fails after ``within`` seconds."""
    for _ in range(int(within / step)):
        if predicate():
            return
        await asyncio.sleep(step)
    raise AssertionError("condition not reached in time")
