"""Prometheus metrics every service serves at ``/metrics``, from Litestar's Prometheus plugin.

- ``mlp_requests_total`` / ``mlp_request_duration_seconds`` (histogram) by ``app_name`` (the
  service), ``method``, ``path`` (the route *template*, ``/v1/files/{file_id}``, never a raw
  path: bounded cardinality, no ids) and ``status_code``; refusals of the auth middleware count
  with their real 401/403/429.
- ``mlp_db_pool_connections_in_use`` / ``mlp_db_pool_size``: the SQLAlchemy pool of the process
  (with ``mlp serve --workers N``: of the process answering the scrape; the request series are
  summed over all of them, :mod:`mlp.common.runtime.multiprocess_metrics`).
- ``mlp_queue_jobs{entrypoint,status}`` and ``mlp_queue_oldest_queued_seconds{entrypoint}``: the
  service's job queue read at scrape time. The outbox is the ``outbox.*`` entrypoints: their
  queued count is the outbox backlog, the oldest age how late the oldest undelivered event is.

``/metrics`` is ``PUBLIC`` on the service: a Prometheus scraper carries no platform token, and the
metrics hold no user data (route templates and counts only). It is reachable only inside the
cluster (the NetworkPolicy admits the gateway, the peer services and the monitoring namespace)
and the gateway never routes it (``deploy/gateway/gateway.routes.conf``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.auth.litestar import PUBLIC
from mlp.common.runtime.multiprocess_metrics import multiprocess_metrics

METRICS_PREFIX = "mlp"


class RouteMetricsMiddleware(PrometheusMiddleware):
    """Litestar's Prometheus middleware (its metric families and labels), with a lean hot path.

    The stock ``__call__`` builds a Request, parses the URL and looks the labelled series up four
    times per request; measured on ``/healthz`` that cost a third of the throughput
    (``bench/bench_metrics_overhead.py``). Here the series of a (method, route, status) are looked
    up once and kept, and a request costs a counter increment and a histogram observation. The
    in-progress gauge and the separate error counter are left out (errors: ``status_code`` >= 500).
    """

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = [HTTP_500_INTERNAL_SERVER_ERROR]

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = str(scope.get("method", "WS"))
            count, duration = self._series_of(method, scope["path_template"], status[0])
            count.inc()
            duration.observe(time.perf_counter() - started)

    def _series_of(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            labels: dict[str, str | int | float] = {
                "method": method,
                "path": route,
                "status_code": status,
                "app_name": self._config.app_name,
            }
            values = list(labels.values())
            series = (self.request_count(labels).labels(*values), self.request_time(labels).labels(*values))
            self._series[key] = series
        return series


def request_metrics(service: str) -> DefineMiddleware:
    """Request metrics labelled by route template (Litestar's Prometheus config and metric names)."""
    config = PrometheusConfig(
        app_name=service, prefix=METRICS_PREFIX, group_path=True, middleware_class=RouteMetricsMiddleware
    )
    return config.middleware


class PoolCollector(Collector):
    """Reads the pools of the engines the apps of this process registered (one per service app)."""

    def __init__(self) -> None:
        self.engines: dict[str, AsyncEngine] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily("mlp_db_pool_connections_in_use", "Connections checked out", labels=["service"])
        size = GaugeMetricFamily("mlp_db_pool_size", "Connections the pool keeps", labels=["service"])
        for service, engine in self.engines.items():
            in_use.add_metric([service], engine.pool.checkedout())  # type: ignore[attr-defined]
            size.add_metric([service], engine.pool.size())  # type: ignore[attr-defined]
        yield in_use
        yield size


class QueueCollector(Collector):
    """Each service's job queue as the last scrape read it (by the process answering that scrape)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[str, str, int, float | None]]] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "mlp_queue_jobs", "Jobs in the service's queue", labels=["service", "entrypoint", "status"]
        )
        oldest = GaugeMetricFamily(
            "mlp_queue_oldest_queued_seconds",
            "Age of the oldest queued job (for outbox.* entrypoints: the oldest undelivered event)",
            labels=["service", "entrypoint"],
        )
        for service, rows in self.rows.items():
            for entrypoint, status, count, age in rows:
                jobs.add_metric([service, entrypoint, status], count)
                if status == "queued":
                    oldest.add_metric([service, entrypoint], float(age or 0))
        yield jobs
        yield oldest


POOLS = PoolCollector()
QUEUES = QueueCollector()
REGISTRY.register(POOLS)
REGISTRY.register(QUEUES)


def scrape_registry() -> CollectorRegistry:
    """This process's registry, or with several processes one summing their files plus this one's reads."""
    if not multiprocess_metrics():
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(POOLS)
    registry.register(QUEUES)
    return registry


async def refresh_queue_gauges(engine: AsyncEngine, service: str, schema: str) -> None:
    """Count the queue's jobs now; a schema without a queue (not migrated yet) is skipped."""
    query = text(
        f"SELECT entrypoint, status::text, count(*), "
        f"EXTRACT(EPOCH FROM now() - min(created)) FROM {schema}.pgqueuer GROUP BY entrypoint, status"
    )
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
    except SQLAlchemyError:
        return
    QUEUES.rows[service] = [(entrypoint, status, count, oldest) for entrypoint, status, count, oldest in rows]


@get("/metrics", opt=PUBLIC, include_in_schema=False, name="metrics")
async def metrics_route(request: Request[Any, Any, State]) -> Response[bytes]:
    """Prometheus' text format; the queue gauges are read from the database first."""
    state = request.app.state
    await refresh_queue_gauges(state.engine, state.service, state.schema)
    return Response(generate_latest(scrape_registry()), media_type=CONTENT_TYPE_LATEST)
