"""How criteria, runs and results are shown (msgspec views, never the domain's entities)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import msgspec

from mlp.evaluation.domain.criteria import Criterion
from mlp.evaluation.domain.reports import RunAggregates
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun


class CriterionView(msgspec.Struct):
    id: str
    name: str
    type: str
    config: dict[str, Any]
    description: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def criterion_view(c: Criterion) -> CriterionView:
    return CriterionView(str(c.id), c.name, c.kind, c.config, c.description, c.metadata, c.created_at, c.updated_at)


class Page(msgspec.Struct):
    data: list[Any]
    has_more: bool
    next_after: str | None
    object: str = "list"


class RunCriterion(msgspec.Struct):
    id: str
    name: str
    type: str
    config: dict[str, Any]


class RunView(msgspec.Struct):
    id: str
    name: str | None
    status: str
    dataset_id: str
    dataset_version: int
    source: str
    deployment: str | None
    prompt_template: str | None
    system_prompt: str | None
    predictions_column: str | None
    criteria: list[RunCriterion]
    rows_total: int
    rows_done: int
    rows_failed: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested_at: datetime | None
    eval_id: str | None
    aggregates: dict[str, Any] | None = None


def run_view(run: EvalRun, aggregates: RunAggregates | None = None) -> RunView:
    t = run.target
    return RunView(
        id=str(run.id),
        name=run.name,
        status=run.status,
        dataset_id=str(run.dataset_id),
        dataset_version=run.dataset_version,
        source=t.source,
        deployment=t.deployment,
        prompt_template=t.prompt_template,
        system_prompt=t.system_prompt,
        predictions_column=t.predictions_column,
        criteria=[RunCriterion(str(c.id), c.name, c.kind, c.config) for c in run.criteria],
        rows_total=run.total_rows,
        rows_done=run.rows_done,
        rows_failed=run.failed_rows,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        cancel_requested_at=run.cancel_requested_at,
        eval_id=str(run.eval_id) if run.eval_id else None,
        aggregates=aggregates_view(aggregates) if aggregates is not None else None,
    )


def aggregates_view(a: RunAggregates) -> dict[str, Any]:
    return {
        "rows": a.rows,
        "passed_rows": a.passed_rows,
        "pass_rate": a.passed_rows / a.rows if a.rows else None,
        "latency_ms": {"p50": a.latency_p50_ms, "p95": a.latency_p95_ms},
        "tokens": {"prompt": a.prompt_tokens, "completion": a.completion_tokens, "judge": a.judge_tokens},
        "criteria": [
            {
                "criterion_id": c.criterion_id,
                "rows": c.rows,
                "passed": c.passed,
                "errors": c.errors,
                "pass_rate": c.pass_rate,
                "score": {"mean": c.score_mean, "p50": c.score_p50, "p95": c.score_p95},
            }
            for c in a.criteria
        ],
        "errors_by_cause": a.errors_by_cause,
        "failures": [asdict(f) for f in a.failures],
    }


class ResultView(msgspec.Struct):
    row_number: int
    input: dict[str, Any]
    output: str | None
    passed: bool
    verdicts: dict[str, dict[str, Any]]
    latency_ms: int | None
    prompt_tokens: int
    completion_tokens: int
    judge_tokens: int
    error: str | None
    error_type: str | None


def result_view(r: RowResult) -> ResultView:
    return ResultView(
        r.row_number, r.input, r.output, r.passed, {k: asdict(v) for k, v in r.verdicts.items()}, r.latency_ms,
        r.prompt_tokens, r.completion_tokens, r.judge_tokens, r.error, r.error_type,
    )  # fmt: skip
