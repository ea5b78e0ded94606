"""``/v1/criteria``: my reusable criteria, and a criterion's pass rate across my runs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.evaluation.api.views import CriterionView, Page, criterion_view
from mlp.evaluation.application.criteria import Criteria, CriterionDraft
from mlp.evaluation.application.reports import Reports
from mlp.evaluation.domain.criteria import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH

Caller = Request[Principal, Any, Any]
READ = requires_scopes("evals:read")
WRITE = requires_scopes("evals:write")
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)]
Metadata = Annotated[dict[str, str], msgspec.Meta(max_length=16)]


class CreateCriterion(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    type: Annotated[str, msgspec.Meta(max_length=64)]
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    description: Description | None = None
    metadata: Metadata | None = None


class UpdateCriterion(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    type: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    config: dict[str, Any] | None = None
    description: Description | None = None
    metadata: Metadata | None = None


class TrendPointView(msgspec.Struct):
    run_id: str
    created_at: str
    rows: int
    passed: int
    pass_rate: float | None


class TrendView(msgspec.Struct):
    criterion_id: str
    points: list[TrendPointView]


@post("/v1/criteria", tags=["criteria"], opt=WRITE, summary="Create a criterion (its config is validated)")
async def create_criterion(
    request: Caller, data: JSONBody[CreateCriterion], criteria: NamedDependency[Criteria]
) -> CriterionView:
    draft = CriterionDraft(data.name, data.type, data.config, data.description, data.metadata)
    return criterion_view(await criteria.create(request.user.user_id, draft))


@get("/v1/criteria", tags=["criteria"], opt=READ, summary="My criteria, oldest first")
async def list_criteria(
    request: Caller,
    criteria: NamedDependency[Criteria],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    after: FromQuery[uuid.UUID | None] = None,
) -> Page:
    found = await criteria.list(request.user.user_id, limit + 1, after)
    shown = [criterion_view(c) for c in found[:limit]]
    return Page(shown, len(found) > limit, shown[-1].id if len(found) > limit else None)


@get("/v1/criteria/{criterion_id:uuid}", tags=["criteria"], opt=READ)
async def get_criterion(
    request: Caller, criterion_id: FromPath[uuid.UUID], criteria: NamedDependency[Criteria]
) -> CriterionView:
    return criterion_view(await criteria.get(request.user.user_id, criterion_id))


@patch("/v1/criteria/{criterion_id:uuid}", tags=["criteria"], opt=WRITE, summary="Change a criterion")
async def update_criterion(
    request: Caller,
    criterion_id: FromPath[uuid.UUID],
    data: JSONBody[UpdateCriterion],
    criteria: NamedDependency[Criteria],
) -> CriterionView:
    """Runs already made keep the criterion as it was when they started."""
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    if "type" in changes:
        changes["kind"] = changes.pop("type")
    return criterion_view(await criteria.update(request.user.user_id, criterion_id, changes))


@delete("/v1/criteria/{criterion_id:uuid}", tags=["criteria"], opt=WRITE)
async def delete_criterion(
    request: Caller, criterion_id: FromPath[uuid.UUID], criteria: NamedDependency[Criteria]
) -> None:
    await criteria.delete(request.user.user_id, criterion_id)


@get("/v1/criteria/{criterion_id:uuid}/trend", tags=["criteria"], opt=READ, summary="Pass rate across my runs")
async def criterion_trend(
    request: Caller,
    criterion_id: FromPath[uuid.UUID],
    reports: NamedDependency[Reports],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> TrendView:
    points = await reports.trend(request.user.user_id, criterion_id, limit)
    return TrendView(
        str(criterion_id),
        [TrendPointView(str(p.run_id), p.created_at.isoformat(), p.rows, p.passed, p.pass_rate) for p in points],
    )
