"""What is read back about runs: aggregates, result pages, comparisons, trends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CriterionStats:
    criterion_id: str
    rows: int
    passed: int
    errors: int
    score_mean: float | None
    score_p50: float | None
    score_p95: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.rows if self.rows else None


@dataclass(frozen=True)
class FailureCause:
    """Rows failing for one cause: a criterion's verdict (``failed``) or an error (its type)."""

    criterion_id: str | None
    cause: str
    rows: int


@dataclass(frozen=True)
class RunAggregates:
    rows: int = 0
    passed_rows: int = 0
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    judge_tokens: int = 0
    criteria: list[CriterionStats] = field(default_factory=list)
    failures: list[FailureCause] = field(default_factory=list)
    errors_by_cause: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultFilter:
    failed_only: bool = False
    passed_only: bool = False
    criterion_id: str | None = None
    """With ``failed_only``: rows this criterion failed; alone: rows this criterion judged."""
    after_row: int = 0
    limit: int = 100


@dataclass(frozen=True)
class RowChange:
    row_number: int
    base_score: float | None
    head_score: float | None


@dataclass(frozen=True)
class CriterionComparison:
    criterion_id: str
    compared_rows: int
    base_pass_rate: float | None
    head_pass_rate: float | None
    regressed_count: int
    improved_count: int
    regressed: list[RowChange]
    improved: list[RowChange]


@dataclass(frozen=True)
class TrendPoint:
    run_id: uuid.UUID
    created_at: datetime
    rows: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.rows if self.rows else None
