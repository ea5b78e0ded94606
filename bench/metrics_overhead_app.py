"""The apps bench_metrics_overhead.py serves: registry's full stack, with and without the
Prometheus request metrics (``create_app_with_metrics`` / ``create_app_without_metrics``)."""

from __future__ import annotations

from litestar import Litestar

from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app
from mlp.registry.settings import registry_settings


def _app(metrics: bool) -> Litestar:
    settings = registry_settings()
    configure_logging("bench", "WARNING")
    return build_service_app(
        name="bench",
        package="mlp.registry",
        schema="registry",
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[],
        lifespans=[identity_auth_lifespan(settings)],
        metrics=metrics,
    )


def create_app_with_metrics() -> Litestar:
    return _app(metrics=True)


def create_app_without_metrics() -> Litestar:
    return _app(metrics=False)
