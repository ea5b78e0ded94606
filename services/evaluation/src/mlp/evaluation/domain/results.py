"""One row's result in a run: its output, cost, verdict per criterion, or the error that stopped it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from mlp.evaluation.domain.verdicts import Verdict


@dataclass(frozen=True)
class RowResult:
    run_id: uuid.UUID
    user_id: uuid.UUID
    row_number: int
    input: dict[str, Any]
    output: str | None
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """Criterion id (as text) -> verdict."""
    latency_ms: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    error_type: str | None = None
    """A stable cause: ``timeout``, ``upstream_error``, ``deployment_not_found``..."""

    @property
    def passed(self) -> bool:
        return self.error is None and all(v.passed for v in self.verdicts.values())

    @property
    def judge_tokens(self) -> int:
        return sum(v.judge_tokens for v in self.verdicts.values())
