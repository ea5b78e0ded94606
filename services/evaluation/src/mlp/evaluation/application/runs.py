"""Starting, reading, cancelling and deleting my runs.

A run is checked before it is queued: the caller's credential holds every scope the run will use
on its behalf (``datasets:read`` for its rows, ``inference`` for a deployment or a judge), its
criteria are mine, its dataset is mine (read as me through registry, which also pins the
version), every column its templates name exists, and the deployments it calls (the model and
any judge) are mine. Registry is asked with a token carrying at most the caller's scopes, and the
run records them so that its worker's token carries no more. Then it is queued for a worker in
the same transaction as its row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.common.auth.principal import scope_grants
from mlp.evaluation.application.clock import Clock, utc_now
from mlp.evaluation.application.events import audit_event
from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.application.upstream_ports import DatasetRows, Deployments, UserTokens
from mlp.evaluation.domain.criteria import CriterionSnapshot
from mlp.evaluation.domain.criterion_types import LlmJudge
from mlp.evaluation.domain.errors import InvalidInput, MissingScope, NotFound
from mlp.evaluation.domain.run_checks import check_target, missing_columns
from mlp.evaluation.domain.runs import DataKind, EvalRun, RunTarget, needed_scopes


@dataclass(frozen=True)
class RunRequest:
    dataset_id: uuid.UUID
    criterion_ids: tuple[uuid.UUID, ...]
    target: RunTarget
    name: str | None = None
    dataset_version: int | None = None
    eval_id: uuid.UUID | None = None
    data_kind: DataKind = "dataset"
    metadata: dict[str, str] | None = None


class Runs:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        rows: DatasetRows,
        deployments: Deployments,
        tokens: UserTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._rows = rows
        self._deployments = deployments
        self._tokens = tokens
        self._clock = clock

    async def create(self, user_id: uuid.UUID, caller_scopes: tuple[str, ...], request: RunRequest) -> EvalRun:
        check_target(request.target)
        async with self._uow() as uow:
            found = await uow.criteria.get_many(user_id, request.criterion_ids)
        by_id = {c.id: c for c in found}
        unknown = [str(i) for i in request.criterion_ids if i not in by_id]
        if unknown:
            raise NotFound(f"no such criterion: {', '.join(unknown)}", field="criterion_ids")
        criteria = tuple(CriterionSnapshot.of(by_id[i]) for i in dict.fromkeys(request.criterion_ids))
        needed = needed_scopes(request.target, criteria)
        for scope, field in needed:
            if not any(scope_grants(held, scope) for held in caller_scopes):
                raise MissingScope(f"this run needs the scope {scope!r}, which your credential lacks", field=field)
        token = await self._tokens.for_user(user_id, tuple(dict.fromkeys(s for s, _ in needed)), caller_scopes)
        first = await self._rows.page(token, request.dataset_id, request.dataset_version, None, 1, request.data_kind)
        missing = missing_columns(request.target, criteria, {c.name for c in first.columns})
        if missing:
            where, column = missing[0]
            raise InvalidInput(f"the dataset has no column {column!r}", field=where)
        await self._check_deployments(token, request.target, criteria)
        now = self._clock()
        run = EvalRun(
            id=uuid.uuid4(),
            user_id=user_id,
            name=request.name,
            dataset_id=request.dataset_id,
            dataset_version=first.version,
            target=request.target,
            criteria=criteria,
            status="queued",
            created_at=now,
            eval_id=request.eval_id,
            data_kind=request.data_kind,
            metadata=dict(request.metadata or {}),
            caller_scopes=caller_scopes,
        )
        async with self._uow() as uow:
            await uow.runs.add(run)
            await uow.outbox.enqueue_run(run.id)
            await uow.outbox.audit([audit_event(user_id, "eval_run.created", "eval_run", run.id, now)])
            await uow.commit()
        return run

    async def _check_deployments(self, token: str, target: RunTarget, criteria: tuple[CriterionSnapshot, ...]) -> None:
        wanted: list[tuple[str, str]] = []
        if target.deployment is not None:
            wanted.append(("deployment", target.deployment))
        for index, criterion in enumerate(criteria):
            config = criterion.parsed()
            if isinstance(config, LlmJudge):
                wanted.append((f"criteria[{index}].config.deployment", config.deployment))
        for field, name in dict.fromkeys(wanted):
            if not await self._deployments.exists(token, name):
                raise NotFound(f"no deployment named {name!r}", field=field)

    async def get(self, user_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun:
        async with self._uow() as uow:
            run = await uow.runs.get(user_id, run_id)
        if run is None:
            raise NotFound("no such run", field="run_id")
        return run

    async def list(
        self,
        user_id: uuid.UUID,
        limit: int,
        after: uuid.UUID | None,
        eval_id: uuid.UUID | None = None,
        descending: bool = True,
        statuses: tuple[str, ...] = (),
    ) -> list[EvalRun]:
        async with self._uow() as uow:
            return await uow.runs.list_for_user(user_id, limit, after, eval_id, descending, statuses)

    async def cancel(self, user_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun:
        """A queued run stops at once; a running one within a flush interval of its worker."""
        now = self._clock()
        async with self._uow() as uow:
            run = await uow.runs.request_cancel(user_id, run_id, now)
            if run is None:
                raise NotFound("no such run", field="run_id")
            await uow.outbox.audit([audit_event(user_id, "eval_run.cancel_requested", "eval_run", run_id, now)])
            await uow.commit()
        return run

    async def delete(self, user_id: uuid.UUID, run_id: uuid.UUID) -> None:
        """Deletes the run and its results (a running run is cancelled first: its worker stops)."""
        now = self._clock()
        async with self._uow() as uow:
            if not await uow.runs.delete(user_id, run_id):
                raise NotFound("no such run", field="run_id")
            await uow.outbox.audit([audit_event(user_id, "eval_run.deleted", "eval_run", run_id, now)])
            await uow.commit()
