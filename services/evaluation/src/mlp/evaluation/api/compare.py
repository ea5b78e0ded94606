"""``GET /v1/eval-runs/compare``: for two of my runs over the same dataset, the rows each criterion
passed in one and failed in the other (matched by row number), with counts."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.evaluation.application.reports import Reports
from mlp.evaluation.domain.reports import RowChange

Caller = Request[Principal, Any, Any]
READ = requires_scopes("evals:read")


class RowChangeView(msgspec.Struct):
    row_number: int
    base_score: float | None
    head_score: float | None


class CriterionChangeView(msgspec.Struct):
    criterion_id: str
    compared_rows: int
    base_pass_rate: float | None
    head_pass_rate: float | None
    regressed_count: int
    improved_count: int
    regressed: list[RowChangeView]
    improved: list[RowChangeView]


def _changes(rows: list[RowChange]) -> list[RowChangeView]:
    return [RowChangeView(r.row_number, r.base_score, r.head_score) for r in rows]


class ComparisonView(msgspec.Struct):
    base: str
    head: str
    dataset_id: str
    same_version: bool
    summary: dict[str, int]
    criteria: list[CriterionChangeView]


@get("/v1/eval-runs/compare", tags=["eval-runs"], opt=READ, summary="Rows that regressed and improved")
async def compare_runs(
    request: Caller, base: FromQuery[uuid.UUID], head: FromQuery[uuid.UUID], reports: NamedDependency[Reports]
) -> ComparisonView:
    found = await reports.compare(request.user.user_id, base, head)
    criteria = [
        CriterionChangeView(
            c.criterion_id,
            c.compared_rows,
            c.base_pass_rate,
            c.head_pass_rate,
            c.regressed_count,
            c.improved_count,
            _changes(c.regressed),
            _changes(c.improved),
        )
        for c in found.criteria
    ]
    summary = {
        "criteria": len(criteria),
        "regressed": sum(c.regressed_count for c in criteria),
        "improved": sum(c.improved_count for c in criteria),
    }
    same_version = found.base.dataset_version == found.head.dataset_version
    return ComparisonView(str(base), str(head), str(found.base.dataset_id), same_version, summary, criteria)
