"""Wiring of deployments and the inference proxy: the adapters behind their ports, built in a lifespan.

``serving_lifespan`` puts the use cases on ``app.state`` (``deployments``, ``inference_proxy``,
``inference_requests``), starts the inference log's flusher and, on shutdown, flushes what is
left before the engine is disposed (so list it after the engine's lifespan).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.egress.guard import EgressGuard, egress_guard
from mlp.registry.adapters.db.inference_log import SqlInferenceLogReader, SqlInferenceLogWriter
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.db.serving_model_versions import SqlModelVersions
from mlp.registry.adapters.db.serving_unit_of_work import SqlServingUnitOfWork
from mlp.registry.adapters.secret_box import FernetSecretBox
from mlp.registry.adapters.tiktoken_counter import TiktokenCounter
from mlp.registry.adapters.upstream_backend import ExistingUpstreamBackend
from mlp.registry.adapters.upstream_client import HttpUpstreamClient
from mlp.registry.application.deployment_guard import UpstreamGuard
from mlp.registry.application.deployment_probes import DeploymentProber
from mlp.registry.application.deployment_revisions import DeploymentRevisions
from mlp.registry.application.deployments import DeploymentLimits, Deployments
from mlp.registry.application.inference import InferenceProxy
from mlp.registry.application.inference_attempts import AttemptLimits
from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import CallMeter, TokenMeter, UpstreamTrust
from mlp.registry.application.inference_requests import InferenceRequests
from mlp.registry.application.inference_routes import DeploymentRoutes
from mlp.registry.application.serving_ports import EventOutbox
from mlp.registry.settings import DEVELOPMENT_CREDENTIAL_KEY, RegistrySettings

OutboxFactory = Callable[[AsyncConnection], EventOutbox]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Serving:
    deployments: Deployments
    revisions: DeploymentRevisions
    prober: DeploymentProber
    proxy: InferenceProxy
    log: InferenceLog
    requests: InferenceRequests
    upstream: HttpUpstreamClient


def secret_box(settings: RegistrySettings) -> FernetSecretBox:
    if settings.credential_keys == DEVELOPMENT_CREDENTIAL_KEY:
        structlog.get_logger().warning("upstream credentials use the development key: set REGISTRY_CREDENTIAL_KEYS")
    return FernetSecretBox(settings.credential_keys)


def upstream_client(guard: EgressGuard, settings: RegistrySettings) -> HttpUpstreamClient:
    return HttpUpstreamClient(
        guard,
        settings.upstream_max_connections,
        settings.upstream_max_total_connections,
        settings.upstream_idle_seconds,
    )


def build_prober(
    engine: AsyncEngine, settings: RegistrySettings, outbox: OutboxFactory, upstream: HttpUpstreamClient
) -> DeploymentProber:
    """What the worker needs: probes of every live deployment."""
    return DeploymentProber(
        lambda: SqlServingUnitOfWork(engine, outbox),
        ExistingUpstreamBackend(upstream),
        secret_box(settings),
        utc_now,
    )


def build_serving(engine: AsyncEngine, settings: RegistrySettings, outbox: OutboxFactory) -> Serving:
    secrets = secret_box(settings)
    guard = egress_guard(settings)
    upstream = upstream_client(guard, settings)
    backend = ExistingUpstreamBackend(upstream)

    def uow() -> SqlServingUnitOfWork:
        return SqlServingUnitOfWork(engine, outbox)

    routes = DeploymentRoutes(uow, secrets, settings.deployment_cache_seconds)
    prober = DeploymentProber(uow, backend, secrets, utc_now)
    model_versions = SqlModelVersions(engine)
    deployments = Deployments(
        uow,
        model_versions,
        secrets,
        UpstreamGuard(guard),
        backend,
        prober,
        utc_now,
        DeploymentLimits(
            settings.deployment_connect_timeout_seconds,
            settings.deployment_timeout_seconds,
            settings.deployment_max_timeout_seconds,
        ),
        on_change=routes.forget,
    )
    log = InferenceLog(
        SqlInferenceLogWriter(engine, outbox),
        batch_size=settings.inference_log_batch_size,
        capacity=settings.inference_log_capacity,
        capacity_bytes=settings.inference_log_capacity_bytes,
        flush_interval_seconds=settings.inference_log_flush_seconds,
        settle=TokenMeter(TiktokenCounter()).settle,
    )
    trust = UpstreamTrust(settings.trusted_upstream_hosts.split(","))
    limits = AttemptLimits(settings.inference_max_attempts, settings.inference_attempts_seconds)
    proxy = InferenceProxy(routes, upstream, log, utc_now, limits, CallMeter(trust))
    revisions = DeploymentRevisions(uow, model_versions, utc_now, on_change=routes.forget)
    requests = InferenceRequests(SqlInferenceLogReader(engine))
    return Serving(deployments, revisions, prober, proxy, log, requests, upstream)


def serving_lifespan(
    settings: RegistrySettings, outbox: OutboxFactory = registry_outbox
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        serving = build_serving(app.state.engine, settings, outbox)
        app.state.deployments = serving.deployments
        app.state.deployment_revisions = serving.revisions
        app.state.inference_proxy = serving.proxy
        app.state.inference_requests = serving.requests
        app.state.inference_log = serving.log
        serving.log.start()
        try:
            yield
        finally:
            await serving.log.close()
            await serving.upstream.aclose()

    return lifespan
