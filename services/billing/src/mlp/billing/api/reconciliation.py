"""``/v1/reconciliation-runs``: operators (platform services) start and follow reconciliation runs, and
approve the adjustments above the threshold (``/v1/reconciliation-adjustments/{id}/approve``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from mlp.billing.api.views import AdjustmentView, ReconciliationRunPage, ReconciliationRunView
from mlp.billing.application.adjustments import AdjustmentApplier
from mlp.billing.application.reconciliation import Reconciliation
from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.auth.principal import Principal


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


@post(
    "/v1/reconciliation-adjustments/{adjustment_id:uuid}/approve",
    opt=SERVICE_ONLY,
    status_code=200,
    tags=["reconciliation"],
    summary="Approve and apply an adjustment above the threshold",
)
async def approve_adjustment(
    adjustment_id: FromPath[uuid.UUID],
    request: Request[Principal, Any, State],
    adjustments: NamedDependency[AdjustmentApplier],
) -> AdjustmentView:
    approved = await adjustments.approve(adjustment_id, request.user.service or "operator")
    return msgspec.convert(approved, AdjustmentView)
