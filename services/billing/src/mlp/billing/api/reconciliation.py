"""``/v1/reconciliation-runs``: operators (platform services) start and follow reconciliation runs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from mlp.billing.api.views import AdjustmentView, ReconciliationRunPage, ReconciliationRunView
from mlp.billing.application.reconciliation import Reconciliation
from mlp.common.auth.litestar import SERVICE_ONLY


class RunIn(msgspec.Struct, frozen=True, kw_only=True):
    period: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")]


def run_view(run: dict[str, Any], adjustments: list[dict[str, Any]] | None = None) -> ReconciliationRunView:
    view = msgspec.convert(run, ReconciliationRunView)
    if adjustments is None:
        return view
    return msgspec.structs.replace(view, adjustments=[msgspec.convert(a, AdjustmentView) for a in adjustments])


@post("/v1/reconciliation-runs", opt=SERVICE_ONLY, status_code=202, tags=["reconciliation"], summary="Start a run")
async def start_run(data: JSONBody[RunIn], reconciliation: NamedDependency[Reconciliation]) -> ReconciliationRunView:
    run_id = await reconciliation.start(data.period)
    run, adjustments = await reconciliation.get(run_id)
    return run_view(run, adjustments)


@get("/v1/reconciliation-runs", opt=SERVICE_ONLY, tags=["reconciliation"], summary="Runs, newest first")
async def list_runs(
    reconciliation: NamedDependency[Reconciliation], limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50
) -> ReconciliationRunPage:
    return ReconciliationRunPage(data=[run_view(r) for r in await reconciliation.recent(limit)])


@get(
    "/v1/reconciliation-runs/{run_id:uuid}",
    opt=SERVICE_ONLY,
    tags=["reconciliation"],
    summary="A run and its adjustments",
)
async def get_run(
    run_id: FromPath[uuid.UUID], reconciliation: NamedDependency[Reconciliation]
) -> ReconciliationRunView:
    run, adjustments = await reconciliation.get(run_id)
    return run_view(run, adjustments)
