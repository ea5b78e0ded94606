"""Prometheus metrics of ``mlp worker``: how long jobs take and how often they fail.

A worker has no HTTP API, so it serves ``/metrics`` on its own port (``WORKER_METRICS_PORT``,
0 = not served). Queue depth and the outbox backlog are read from the database by the service's
API (:mod:`mlp.common.runtime.metrics`), so they are there whether or not a worker runs.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server
from prometheus_client.context_managers import Timer

JOB_SECONDS = Histogram("mlp_job_duration_seconds", "Time a job's handler took", ["entrypoint"])
JOB_FAILURES = Counter(
    "mlp_job_failures_total", "Jobs whose handler raised (retry: re-queued; failed: held)", ["entrypoint", "outcome"]
)


def job_timer(entrypoint: str) -> Timer:
    return JOB_SECONDS.labels(entrypoint).time()


def job_failed(entrypoint: str, outcome: str) -> None:
    JOB_FAILURES.labels(entrypoint, outcome).inc()


def serve_worker_metrics(host: str, port: int) -> None:
    if port:
        start_http_server(port, addr=host)
