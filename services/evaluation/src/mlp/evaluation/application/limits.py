"""How a worker runs rows: the settings that bound its concurrency and time per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlp.evaluation.domain.checks import CheckLimits


@dataclass(frozen=True)
class ExecutionLimits:
    concurrency: int = 32
    """Rows evaluated at once by one worker on one run."""
    row_timeout_seconds: float = 30.0
    """A row (its model call and its judges) that takes longer is recorded as a ``timeout`` error."""
    check_timeout_seconds: float = 5.0
    """Hard limit of a row's CPU-heavy checks (their process is stopped): ``check_timeout`` verdicts."""
    check_batches_per_run: int = 2
    """Rows of one run in the check processes at once (as many as there are processes)."""
    checks: CheckLimits = field(default_factory=CheckLimits)
    page_size: int = 1000
    """Rows asked of registry per page (its contract allows up to 1000)."""
    flush_interval_seconds: float = 0.25
    """How often results are written, with a heartbeat and a look at whether the run was cancelled."""
