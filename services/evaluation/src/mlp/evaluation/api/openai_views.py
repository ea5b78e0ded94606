"""OpenAI Evals API shapes (``openai.types.evals``) built from our evals, runs and row results."""

from __future__ import annotations

from typing import Any

from mlp.evaluation.domain.evals import Eval
from mlp.evaluation.domain.reports import RunAggregates
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun

STATUSES = {"queued": "queued", "running": "in_progress", "succeeded": "completed", "failed": "failed",
            "cancelled": "canceled"}  # fmt: skip
OUR_STATUSES = {theirs: ours for ours, theirs in STATUSES.items()}


def eval_object(found: Eval) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "object": "eval",
        "created_at": int(found.created_at.timestamp()),
        "name": found.name,
        "data_source_config": found.data_source_config,
        "testing_criteria": found.testing_criteria,
        "metadata": found.metadata,
    }


def _data_source(run: EvalRun) -> dict[str, Any]:
    source = {"type": "file_id", "id": str(run.dataset_id)}
    if run.target.source == "predictions":
        return {"type": "jsonl", "source": source}
    template = [{"role": "system", "content": run.target.system_prompt}] if run.target.system_prompt else []
    template.append({"role": "user", "content": run.target.prompt_template or ""})
    return {"type": "completions", "source": source, "model": run.target.deployment,
            "input_messages": {"type": "template", "template": template}}  # fmt: skip


def run_object(run: EvalRun, found: Eval, totals: RunAggregates) -> dict[str, Any]:
    names = found.grader_names()
    errored = run.failed_rows
    usage = [
        {"model_name": run.target.deployment, "invocation_count": totals.rows, "prompt_tokens": totals.prompt_tokens,
         "completion_tokens": totals.completion_tokens, "total_tokens": totals.prompt_tokens + totals.completion_tokens,
         "cached_tokens": 0}
    ] if run.target.deployment else []  # fmt: skip
    return {
        "id": str(run.id),
        "object": "eval.run",
        "eval_id": str(found.id),
        "created_at": int(run.created_at.timestamp()),
        "name": run.name or f"run {run.id}",
        "status": STATUSES[run.status],
        "model": run.target.deployment or "",
        "data_source": _data_source(run),
        "metadata": run.metadata,
        "error": {"code": "run_failed", "message": run.error} if run.error else None,
        "report_url": f"/v1/eval-runs/{run.id}",
        "result_counts": {
            "total": totals.rows,
            "errored": errored,
            "passed": totals.passed_rows,
            "failed": totals.rows - totals.passed_rows - errored,
        },
        "per_testing_criteria_results": [
            {
                "testing_criteria": names.get(c.criterion_id, (c.criterion_id, ""))[0],
                "passed": c.passed,
                "failed": c.rows - c.passed,
            }
            for c in totals.criteria
        ],
        "per_model_usage": usage,
    }


def output_item(run: EvalRun, found: Eval, result: RowResult) -> dict[str, Any]:
    names = found.grader_names()
    results = [
        {"name": names.get(key, (key, ""))[0], "type": names.get(key, ("", ""))[1], "passed": v.passed,
         "score": v.score if v.score is not None else (1.0 if v.passed else 0.0),
         "sample": {"label": v.label, "error": v.error} if (v.label or v.error) else None}
        for key, v in result.verdicts.items()
    ]  # fmt: skip
    return {
        "id": str(result.row_number),
        "object": "eval.run.output_item",
        "created_at": int(run.created_at.timestamp()),
        "eval_id": str(found.id),
        "run_id": str(run.id),
        "datasource_item_id": result.row_number,
        "datasource_item": result.input,
        "status": "pass" if result.passed else "fail",
        "results": results,
        "sample": {
            "input": [{"role": "user", "content": run.target.prompt_template or ""}],
            "output": [{"role": "assistant", "content": result.output}],
            "error": {"code": result.error_type, "message": result.error} if result.error else None,
            "finish_reason": "stop" if result.error is None else "error",
            "model": run.target.deployment or "",
            "usage": {
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
                "total_tokens": result.prompt_tokens + result.completion_tokens,
                "cached_tokens": 0,
            },
            "max_completion_tokens": run.target.max_tokens or 0,
            "seed": 0,
            "temperature": run.target.temperature if run.target.temperature is not None else 1.0,
            "top_p": 1.0,
        },
    }


def openai_list(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
