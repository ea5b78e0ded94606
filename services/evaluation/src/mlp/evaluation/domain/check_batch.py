"""The criteria of one row that are judged apart from the worker's event loop, and how they are judged.

A batch is what a check process receives (picklable data only) and :func:`judge_batch` is what it
runs. A check that exhausts the process's memory gets a ``check_memory`` verdict; time is bounded
by whoever runs the batch (it stops the process).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlp.evaluation.domain.checks import CheckLimits, check
from mlp.evaluation.domain.criterion_types import CriterionConfig
from mlp.evaluation.domain.verdicts import Verdict


@dataclass(frozen=True)
class CheckBatch:
    checks: tuple[tuple[str, CriterionConfig], ...]
    """(kind, config) of each criterion, in order."""
    output: str
    values: dict[str, Any]
    """The row's values, which fill the configs' templates."""
    limits: CheckLimits

    def all_failed(self, error: str) -> list[Verdict]:
        return [Verdict.failed(error) for _ in self.checks]


def judge_batch(batch: CheckBatch) -> list[Verdict]:
    verdicts = []
    for kind, config in batch.checks:
        try:
            verdicts.append(check(kind, config, batch.output, batch.values, batch.limits))
        except MemoryError:
            verdicts.append(Verdict.failed("check_memory"))
        except RecursionError:
            verdicts.append(Verdict.failed("check_too_deep"))
    return verdicts
