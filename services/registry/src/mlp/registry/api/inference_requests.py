"""``/v1/inference-requests``: the log of calls to my deployments, and per-day figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.runtime.problems import Problem
from mlp.common.runtime.service_app import state_dependencies
from mlp.registry.api.inference_request_views import (
    DailyStatsView,
    InferenceRequestPage,
    InferenceRequestView,
    StatsView,
)
from mlp.registry.application.inference_requests import InferenceRequests
from mlp.registry.application.serving_ports import InferenceFilter

READ = requires_scopes("models:read")


MOMENT = QueryParameter(max_length=64, description="an RFC 3339 date-time (no offset: UTC)")


def _moment(text: str | None, field: str) -> datetime | None:
    """An ISO date-time only: Litestar's ``datetime`` query type also took numbers (``until=0.5``)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(400, "validation-error", f"{field} is not an RFC 3339 date-time", field=field) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class InferenceRequestController(Controller):
    path = "/v1/inference-requests"
    tags = ["inference-log"]
    dependencies = state_dependencies("inference_requests")

    @get(opt=READ, summary="Calls to my deployments, newest first (filters, cursor)")
    async def list_requests(
        self,
        request: Request[Principal, Any, Any],
        inference_requests: NamedDependency[InferenceRequests],
        deployment_id: FromQuery[uuid.UUID | None] = None,
        model_version_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[Literal["success", "error"] | None] = None,
        since: Annotated[str | None, MOMENT] = None,
        until: Annotated[str | None, MOMENT] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        cursor: Annotated[str | None, QueryParameter(max_length=256)] = None,
    ) -> InferenceRequestPage:
        filters = InferenceFilter(
            deployment_id, status, _moment(since, "since"), _moment(until, "until"), model_version_id
        )
        page = await inference_requests.page(request.user.user_id, filters, limit, cursor)
        return InferenceRequestPage(
            data=[InferenceRequestView.of(r) for r in page.items],
            has_more=page.next_cursor is not None,
            next_cursor=page.next_cursor,
        )

    @get("/stats", opt=READ, summary="Per deployment, version and UTC day: count, error rate, p50/p95 latency, tokens")
    async def stats(
        self,
        request: Request[Principal, Any, Any],
        inference_requests: NamedDependency[InferenceRequests],
        deployment_id: FromQuery[uuid.UUID | None] = None,
        since: FromQuery[date | None] = None,
        until: FromQuery[date | None] = None,
    ) -> StatsView:
        stats = await inference_requests.stats(request.user.user_id, deployment_id, since, until)
        return StatsView(since=stats.since, until=stats.until, days=[DailyStatsView.of(d) for d in stats.days])
