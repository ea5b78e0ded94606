"""``/v1/eval-runs``: start, read (with aggregates), list, cancel and delete my runs; their results."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.runtime.spend_limits import refuse_when_limit_reached
from mlp.evaluation.api.views import Page, ResultView, RunView, result_view, run_view
from mlp.evaluation.application.reports import Reports
from mlp.evaluation.application.runs import RunRequest, Runs
from mlp.evaluation.domain.reports import ResultFilter
from mlp.evaluation.domain.runs import RunTarget

Caller = Request[Principal, Any, Any]
READ = requires_scopes("evals:read")
WRITE = requires_scopes("evals:write")
Template = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
ColumnName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class CreateRun(msgspec.Struct, forbid_unknown_fields=True):
    dataset_id: uuid.UUID
    criterion_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=20)]
    source: Literal["deployment", "predictions"]
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    dataset_version: Annotated[int, msgspec.Meta(ge=1, le=2_000_000_000)] | None = None
    deployment: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    prompt_template: Template | None = None
    system_prompt: Template | None = None
    predictions_column: ColumnName | None = None
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=131_072)] | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    metadata: Annotated[dict[str, str], msgspec.Meta(max_length=16)] | None = None


def run_request(data: CreateRun, eval_id: uuid.UUID | None = None) -> RunRequest:
    target = RunTarget(
        data.source,
        data.deployment,
        data.prompt_template,
        data.system_prompt,
        data.predictions_column,
        data.max_tokens,
        data.temperature,
    )
    return RunRequest(
        dataset_id=data.dataset_id,
        criterion_ids=tuple(data.criterion_ids),
        target=target,
        name=data.name,
        dataset_version=data.dataset_version,
        eval_id=eval_id,
        metadata=data.metadata,
    )


@post(
    "/v1/eval-runs",
    tags=["eval-runs"],
    opt=WRITE,
    guards=[refuse_when_limit_reached],
    summary="Start a run (queued for a worker)",
)
async def create_run(request: Caller, data: JSONBody[CreateRun], runs: NamedDependency[Runs]) -> RunView:
    return run_view(await runs.create(request.user.user_id, request.user.scopes, run_request(data)))


@get("/v1/eval-runs", tags=["eval-runs"], opt=READ, summary="My runs, newest first")
async def list_runs(
    request: Caller,
    runs: NamedDependency[Runs],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    after: FromQuery[uuid.UUID | None] = None,
) -> Page:
    found = await runs.list(request.user.user_id, limit + 1, after)
    shown = [run_view(r) for r in found[:limit]]
    return Page(shown, len(found) > limit, shown[-1].id if len(found) > limit else None)


@get("/v1/eval-runs/{run_id:uuid}", tags=["eval-runs"], opt=READ, summary="A run with its aggregates")
async def get_run(request: Caller, run_id: FromPath[uuid.UUID], reports: NamedDependency[Reports]) -> RunView:
    run, aggregates = await reports.run_with_aggregates(request.user.user_id, run_id)
    return run_view(run, aggregates)


@post("/v1/eval-runs/{run_id:uuid}/cancel", tags=["eval-runs"], opt=WRITE, status_code=200)
async def cancel_run(request: Caller, run_id: FromPath[uuid.UUID], runs: NamedDependency[Runs]) -> RunView:
    """A queued run stops at once, a running one within seconds; results so far are kept."""
    return run_view(await runs.cancel(request.user.user_id, run_id))


@delete("/v1/eval-runs/{run_id:uuid}", tags=["eval-runs"], opt=WRITE, summary="Delete a run and its results")
async def delete_run(request: Caller, run_id: FromPath[uuid.UUID], runs: NamedDependency[Runs]) -> None:
    await runs.delete(request.user.user_id, run_id)


@get("/v1/eval-runs/{run_id:uuid}/results", tags=["eval-runs"], opt=READ, summary="A run's rows, in row order")
async def run_results(
    request: Caller,
    run_id: FromPath[uuid.UUID],
    reports: NamedDependency[Reports],
    failed_only: FromQuery[bool] = False,
    criterion_id: FromQuery[uuid.UUID | None] = None,
    after: Annotated[int, QueryParameter(ge=0, le=2_000_000_000)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> Page:
    """``after`` is the last row number seen; ``criterion_id`` with ``failed_only``: rows it failed."""
    where = ResultFilter(
        failed_only=failed_only,
        criterion_id=str(criterion_id) if criterion_id else None,
        after_row=after,
        limit=limit + 1,
    )
    found = await reports.results(request.user.user_id, run_id, where)
    shown: list[ResultView] = [result_view(r) for r in found[:limit]]
    more = len(found) > limit
    return Page(shown, more, str(shown[-1].row_number) if more else None)
