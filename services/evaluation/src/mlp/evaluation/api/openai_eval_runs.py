"""``/v1/evals/{id}/runs`` and their ``output_items``: OpenAI's eval runs over our runs and results."""

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
from mlp.evaluation.api.openai_evals import Metadata, Name
from mlp.evaluation.api.openai_views import OUR_STATUSES, openai_list, output_item, run_object
from mlp.evaluation.application.evals import Evals
from mlp.evaluation.application.reports import Reports
from mlp.evaluation.application.runs import Runs
from mlp.evaluation.domain.errors import NotFound
from mlp.evaluation.domain.reports import ResultFilter, RunAggregates

Caller = Request[Principal, Any, Any]
READ = requires_scopes("evals:read")
WRITE = requires_scopes("evals:write")
RUN = "/v1/evals/{eval_id:uuid}/runs/{run_id:uuid}"
TAGS = ["evals (OpenAI)"]


class CreateEvalRun(msgspec.Struct):
    data_source: dict[str, Any]
    name: Name | None = None
    metadata: Metadata | None = None


async def _shown(caller: Caller, evals: Evals, reports: Reports, eval_id: uuid.UUID, run_id: uuid.UUID) -> Any:
    found = await evals.get(caller.user.user_id, eval_id)
    run = await evals.run(caller.user.user_id, eval_id, run_id)
    _, totals = await reports.run_with_aggregates(caller.user.user_id, run_id)
    return run_object(run, found, totals)


@post(
    "/v1/evals/{eval_id:uuid}/runs",
    tags=TAGS,
    opt=WRITE,
    guards=[refuse_when_limit_reached],
    status_code=200,
    summary="Start a run of an eval",
)
async def create_eval_run(
    request: Caller, eval_id: FromPath[uuid.UUID], data: JSONBody[CreateEvalRun], evals: NamedDependency[Evals]
) -> dict[str, Any]:
    user_id = request.user.user_id
    scopes = request.user.scopes
    run = await evals.create_run(user_id, scopes, eval_id, data.name, data.data_source, data.metadata or {})
    return run_object(run, await evals.get(user_id, eval_id), RunAggregates())


@get("/v1/evals/{eval_id:uuid}/runs", tags=TAGS, opt=READ)
async def list_eval_runs(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    evals: NamedDependency[Evals],
    runs: NamedDependency[Runs],
    reports: NamedDependency[Reports],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    after: FromQuery[uuid.UUID | None] = None,
    order: FromQuery[Literal["asc", "desc"]] = "asc",
    status: FromQuery[Literal["queued", "in_progress", "completed", "canceled", "failed"] | None] = None,
) -> dict[str, Any]:
    await evals.get(request.user.user_id, eval_id)
    statuses = (OUR_STATUSES[status],) if status else ()
    found = await runs.list(request.user.user_id, limit + 1, after, eval_id, order == "desc", statuses)
    shown = [await _shown(request, evals, reports, eval_id, r.id) for r in found[:limit]]
    return openai_list(shown, len(found) > limit)


@get(RUN, tags=TAGS, opt=READ)
async def get_eval_run(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    evals: NamedDependency[Evals],
    reports: NamedDependency[Reports],
) -> dict[str, Any]:
    return dict(await _shown(request, evals, reports, eval_id, run_id))


@post([RUN, RUN + "/cancel"], tags=TAGS, opt=WRITE, status_code=200, summary="Cancel a run")
async def cancel_eval_run(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    evals: NamedDependency[Evals],
    runs: NamedDependency[Runs],
    reports: NamedDependency[Reports],
) -> dict[str, Any]:
    await evals.run(request.user.user_id, eval_id, run_id)
    await runs.cancel(request.user.user_id, run_id)
    return dict(await _shown(request, evals, reports, eval_id, run_id))


@delete(RUN, tags=TAGS, opt=WRITE, status_code=200)
async def delete_eval_run(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    evals: NamedDependency[Evals],
    runs: NamedDependency[Runs],
) -> dict[str, Any]:
    await evals.run(request.user.user_id, eval_id, run_id)
    await runs.delete(request.user.user_id, run_id)
    return {"object": "eval.run.deleted", "deleted": True, "run_id": str(run_id)}


@get(RUN + "/output_items", tags=TAGS, opt=READ)
async def list_output_items(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    evals: NamedDependency[Evals],
    reports: NamedDependency[Reports],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    after: Annotated[int, QueryParameter(ge=0, le=2_000_000_000)] = 0,
    status: FromQuery[Literal["pass", "fail"] | None] = None,
    order: FromQuery[Literal["asc", "desc"]] = "asc",
) -> dict[str, Any]:
    """In row order (``order=desc`` is accepted and answered in row order too)."""
    found = await evals.get(request.user.user_id, eval_id)
    run = await evals.run(request.user.user_id, eval_id, run_id)
    where = ResultFilter(failed_only=status == "fail", passed_only=status == "pass", after_row=after, limit=limit + 1)
    rows = await reports.results(request.user.user_id, run_id, where)
    return openai_list([output_item(run, found, r) for r in rows[:limit]], len(rows) > limit)


@get(RUN + "/output_items/{output_item_id:int}", tags=TAGS, opt=READ)
async def get_output_item(
    request: Caller,
    eval_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    output_item_id: FromPath[int],
    evals: NamedDependency[Evals],
    reports: NamedDependency[Reports],
) -> dict[str, Any]:
    found = await evals.get(request.user.user_id, eval_id)
    run = await evals.run(request.user.user_id, eval_id, run_id)
    where = ResultFilter(after_row=max(0, output_item_id - 1), limit=1)
    rows = await reports.results(request.user.user_id, run_id, where)
    if not rows or rows[0].row_number != output_item_id:
        raise NotFound("no such output item", field="output_item_id")
    return output_item(run, found, rows[0])


EVAL_RUN_ROUTES = [
    create_eval_run, list_eval_runs, get_eval_run, cancel_eval_run, delete_eval_run, list_output_items,
    get_output_item,
]  # fmt: skip
