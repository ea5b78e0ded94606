"""Port: where the CPU-heavy checks of a row run (separate processes the worker can stop)."""

from __future__ import annotations

from typing import Protocol

from mlp.evaluation.domain.check_batch import CheckBatch
from mlp.evaluation.domain.verdicts import Verdict


class CheckRunner(Protocol):
    async def judge(self, batch: CheckBatch, time_limit: float) -> list[Verdict]:
        """One verdict per check; a batch that runs out of ``time_limit`` (seconds) or memory gets error verdicts."""
        ...
