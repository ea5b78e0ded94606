"""Every route evaluation serves (the OpenAI-compatible evals surface included)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from mlp.evaluation.api import compare, criteria, run_events, runs
from mlp.evaluation.api.openai_eval_runs import EVAL_RUN_ROUTES
from mlp.evaluation.api.openai_evals import EVAL_ROUTES

ROUTES: list[ControllerRouterHandler] = [
    criteria.create_criterion,
    criteria.list_criteria,
    criteria.get_criterion,
    criteria.update_criterion,
    criteria.delete_criterion,
    criteria.criterion_trend,
    runs.create_run,
    runs.list_runs,
    compare.compare_runs,
    runs.get_run,
    runs.cancel_run,
    runs.delete_run,
    runs.run_results,
    run_events.run_events,
    *EVAL_ROUTES,
    *EVAL_RUN_ROUTES,
]
