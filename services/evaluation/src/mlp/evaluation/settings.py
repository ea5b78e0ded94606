"""evaluation's settings, read from ``EVALUATION_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from typing import ClassVar

from mlp.common.runtime.settings import ServiceSettings, load_settings
from mlp.evaluation.application.limits import ExecutionLimits
from mlp.evaluation.domain.checks import CheckLimits


class EvaluationSettings(ServiceSettings, frozen=True, kw_only=True):
    peer_url_fields: ClassVar[tuple[str, ...]] = ("identity_url", "registry_url", "billing_url")
    port: int = 8003
    registry_url: str = "http://127.0.0.1:8002"
    run_concurrency: int = 32
    """Rows of one run evaluated at once by one worker."""
    run_jobs_per_worker: int = 4
    """Runs one worker process executes at once."""
    row_timeout_seconds: float = 60.0
    regex_timeout_seconds: float = 0.1
    check_processes: int = 2
    """Processes per worker judging the CPU-heavy criteria (JSON Schema, text similarity)."""
    check_timeout_seconds: float = 5.0
    """Hard time limit of one row's CPU-heavy criteria: past it their process is stopped."""
    check_memory_mb: int = 512
    """Address-space ceiling of each check process."""
    max_similarity_chars: int = 100_000
    """Longest output or expected text a similarity metric compares (longer: ``input_too_large``)."""
    max_request_bytes: int = 1_048_576
    """Largest request body accepted (413 past it), checked before it is parsed."""
    flush_interval_seconds: float = 0.25
    """How often a worker writes results, heartbeats and sees a cancel (so cancel takes at most this)."""
    progress_interval_seconds: float = 1.0
    """How often the server-sent events of a run's progress look at it."""
    max_streams_per_user: int = 5
    """Progress streams one user may hold open on one replica at once (429 past it)."""
    stream_heartbeat_seconds: float = 15.0
    """An idle progress stream sends a ``: keep-alive`` comment this often (proxies cut silent ones)."""
    stream_credential_check_seconds: float = 1.0
    """How often a progress stream checks its caller's credential again (revoked: the stream ends)."""
    max_compare_rows: int = 100
    """Rows listed per criterion (regressed, improved) in a comparison; the counts are complete."""

    def limits(self) -> ExecutionLimits:
        return ExecutionLimits(
            concurrency=max(1, self.run_concurrency),
            row_timeout_seconds=self.row_timeout_seconds,
            check_timeout_seconds=self.check_timeout_seconds,
            check_batches_per_run=max(1, self.check_processes),
            checks=CheckLimits(self.regex_timeout_seconds, self.max_similarity_chars),
            flush_interval_seconds=self.flush_interval_seconds,
        )


def evaluation_settings() -> EvaluationSettings:
    return load_settings(EvaluationSettings, "evaluation")
