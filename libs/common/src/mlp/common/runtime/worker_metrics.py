"""Prometheus metrics of ``mlp worker``: how long jobs take, how often they fail, and how full its
queue's connection pool is (``mlp_worker_db_pool_*``, next to the APIs' ``mlp_db_pool_*``).

A worker has no HTTP API, so it serves ``/metrics`` on its own port (``WORKER_METRICS_PORT``,
0 = not served). Queue depth and the outbox backlog are read from the database by the service's
API (:mod:`mlp.common.runtime.metrics`), so they are there whether or not a worker runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.context_managers import Timer
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

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


class WorkerPoolCollector(Collector):
    """The connections of the worker's queue pool in use, and the most it may open."""

    def __init__(self) -> None:
        self.pools: dict[str, asyncpg.Pool] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily(
            "mlp_worker_db_pool_connections_in_use", "Queue connections checked out", labels=["service"]
        )
        size = GaugeMetricFamily("mlp_worker_db_pool_size", "Queue connections the pool may open", labels=["service"])
        for service, pool in self.pools.items():
            in_use.add_metric([service], pool.get_size() - pool.get_idle_size())
            size.add_metric([service], pool.get_max_size())
        yield in_use
        yield size


WORKER_POOLS = WorkerPoolCollector()
REGISTRY.register(WORKER_POOLS)


def watch_worker_pool(service: str, pool: asyncpg.Pool) -> None:
    WORKER_POOLS.pools[service] = pool
