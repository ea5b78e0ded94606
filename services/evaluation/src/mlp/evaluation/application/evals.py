"""OpenAI-compatible evals over our criteria and runs: an eval's graders become my criteria, its
runs are my runs (``eval_id`` set), their output items my row results. One implementation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from mlp.evaluation.application.clock import Clock, utc_now
from mlp.evaluation.application.events import audit_event
from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.application.runs import RunRequest, Runs
from mlp.evaluation.domain.criteria import Criterion
from mlp.evaluation.domain.errors import InvalidInput, NotFound
from mlp.evaluation.domain.evals import Eval, custom_data_source
from mlp.evaluation.domain.openai_graders import judged_column, translate
from mlp.evaluation.domain.openai_runs import run_source
from mlp.evaluation.domain.runs import EvalRun

MAX_GRADERS = 20


class Evals:
    def __init__(self, uow: Callable[[], UnitOfWork], runs: Runs, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._runs = runs
        self._clock = clock

    async def create(
        self, user_id: uuid.UUID, name: str, data_source_config: Any, graders: Any, metadata: dict[str, Any]
    ) -> Eval:
        config = custom_data_source(data_source_config)
        if not isinstance(graders, list) or not 1 <= len(graders) <= MAX_GRADERS:
            raise InvalidInput(f"give 1 to {MAX_GRADERS} graders", field="testing_criteria")
        translated = [translate(g, i) for i, g in enumerate(graders)]
        judged_column(translated)
        now, eval_id = self._clock(), uuid.uuid4()
        tag = {"eval_id": str(eval_id)}
        criteria = [
            Criterion(uuid.uuid4(), user_id, f"{g.name} (eval {eval_id})", g.kind, g.config, now, now, metadata=tag)
            for g in translated
        ]
        found = Eval(eval_id, user_id, name, config, graders, [c.id for c in criteria], now, now, metadata)
        async with self._uow() as uow:
            for criterion in criteria:
                await uow.criteria.add(criterion)
            await uow.evals.add(found)
            await uow.outbox.audit([audit_event(user_id, "eval.created", "eval", eval_id, now)])
            await uow.commit()
        return found

    async def get(self, user_id: uuid.UUID, eval_id: uuid.UUID) -> Eval:
        async with self._uow() as uow:
            found = await uow.evals.get(user_id, eval_id)
        if found is None:
            raise NotFound("no such eval", field="eval_id")
        return found

    async def list(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None, descending: bool) -> list[Eval]:
        async with self._uow() as uow:
            return await uow.evals.list_for_user(user_id, limit, after, descending)

    async def update(self, user_id: uuid.UUID, eval_id: uuid.UUID, changes: dict[str, Any]) -> Eval:
        await self.get(user_id, eval_id)
        now = self._clock()
        async with self._uow() as uow:
            await uow.evals.update(user_id, eval_id, changes, now)
            await uow.outbox.audit([audit_event(user_id, "eval.updated", "eval", eval_id, now)])
            await uow.commit()
        return await self.get(user_id, eval_id)

    async def delete(self, user_id: uuid.UUID, eval_id: uuid.UUID) -> None:
        """The eval and its graders' criteria go; its runs and results stay readable in /v1/eval-runs."""
        found = await self.get(user_id, eval_id)
        now = self._clock()
        async with self._uow() as uow:
            await uow.evals.delete(user_id, eval_id, now)
            for criterion_id in found.criterion_ids:
                await uow.criteria.delete(user_id, criterion_id, now)
            await uow.outbox.audit([audit_event(user_id, "eval.deleted", "eval", eval_id, now)])
            await uow.commit()

    async def create_run(
        self,
        user_id: uuid.UUID,
        caller_scopes: tuple[str, ...],
        eval_id: uuid.UUID,
        name: str | None,
        data_source: Any,
        metadata: dict[str, str],
    ) -> EvalRun:
        found = await self.get(user_id, eval_id)
        judged = judged_column([translate(g, i) for i, g in enumerate(found.testing_criteria)])
        source = run_source(data_source, judged)
        request = RunRequest(
            dataset_id=source.data_id,
            criterion_ids=tuple(found.criterion_ids),
            target=source.target,
            name=name,
            eval_id=eval_id,
            metadata=metadata,
        )
        try:
            return await self._runs.create(user_id, caller_scopes, request)
        except NotFound as exc:
            if exc.field != "dataset_id":
                raise
        try:  # not one of my datasets: one of my uploaded JSONL files?
            file_request = RunRequest(**{**request.__dict__, "data_kind": "file"})
            return await self._runs.create(user_id, caller_scopes, file_request)
        except NotFound as exc:
            raise NotFound("no such file or dataset", field="data_source.source.id") from exc

    async def run(self, user_id: uuid.UUID, eval_id: uuid.UUID, run_id: uuid.UUID) -> EvalRun:
        run = await self._runs.get(user_id, run_id)
        if run.eval_id != eval_id:
            raise NotFound("no such run", field="run_id")
        return run
