"""An evaluation run: one pinned dataset version, a set of criteria, outputs from a deployment or a column."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mlp.evaluation.domain.criteria import CriterionSnapshot
from mlp.evaluation.domain.criterion_types import LlmJudge

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RUN_STATUSES: tuple[RunStatus, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
RunSource = Literal["deployment", "predictions"]
DataKind = Literal["dataset", "file"]
"""Rows from registry's dataset, or from an uploaded JSONL file (OpenAI evals' ``{"item": ...}`` lines)."""


@dataclass(frozen=True)
class RunTarget:
    """Where a row's output comes from: a deployment fed the rendered prompt, or a column."""

    source: RunSource
    deployment: str | None = None
    prompt_template: str | None = None
    """Deployment runs: the user message sent per row. Either kind: what a judge sees as {{input}}."""
    system_prompt: str | None = None
    predictions_column: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None


@dataclass(frozen=True)
class EvalRun:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str | None
    dataset_id: uuid.UUID
    dataset_version: int
    target: RunTarget
    criteria: tuple[CriterionSnapshot, ...]
    status: RunStatus
    created_at: datetime
    total_rows: int = 0
    completed_rows: int = 0
    failed_rows: int = 0
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    cancel_requested_at: datetime | None = None
    data_kind: DataKind = "dataset"
    eval_id: uuid.UUID | None = None
    """The OpenAI-compatible eval this run belongs to, if it was started through ``/v1/evals``."""
    metadata: dict[str, Any] = field(default_factory=dict)
    caller_scopes: tuple[str, ...] | None = None
    """The scopes of whoever started the run; None for runs started before they were recorded."""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def rows_done(self) -> int:
        return self.completed_rows + self.failed_rows

    def delegated_scopes(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(scopes the worker asks for, the caller's scopes that bound them)."""
        needed = tuple(scope for scope, _ in needed_scopes(self.target, self.criteria))
        return needed, self.caller_scopes if self.caller_scopes is not None else needed


def needed_scopes(target: RunTarget, criteria: tuple[CriterionSnapshot, ...]) -> list[tuple[str, str]]:
    """(scope, the request field that needs it) for everything a run will do for its user: read its
    rows (``datasets:read``, for a dataset or a file alike) and call deployments (``inference``)."""
    needed = [("datasets:read", "dataset_id")]
    if target.deployment is not None:
        needed.append(("inference", "deployment"))
    judges = [i for i, c in enumerate(criteria) if isinstance(c.parsed(), LlmJudge)]
    if judges and target.deployment is None:
        needed.append(("inference", f"criteria[{judges[0]}].config.deployment"))
    return needed
