"""Builds a service's Litestar app with what every service shares.

Each service's ``create_app`` passes its routes and a lifespan that wires its adapters from
``app.state.engine`` and sets ``app.state.resolver`` (how credentials are checked). This adds
problem+json errors, request ids and logs, health probes, Prometheus metrics at ``/metrics``
(``metrics``), OpenTelemetry tracing when configured (``tracing``), the OpenAPI docs and the engine,
created in the lifespan and disposed on shutdown. It refuses to build an app with a route that
does not declare who may call it (``access_declarations``), and refuses text PostgreSQL cannot
store in any request (``storable_text``, the app's ``before_request`` hook; a service's own hook
is passed as ``before_request`` and runs after it; a route or controller must not set one, which
would replace both).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap

from mlp.common.auth.litestar import PrincipalAuthMiddleware
from mlp.common.runtime.access_declarations import require_declared_access
from mlp.common.runtime.closed_structs import ClosedStructSchemaPlugin
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.health import HealthController
from mlp.common.runtime.logging import RequestIdMiddleware
from mlp.common.runtime.metrics import POOLS, metrics_route, request_metrics
from mlp.common.runtime.migrations import head_revision, older_revisions
from mlp.common.runtime.openapi_errors import ERROR_RESPONSES, document_errors
from mlp.common.runtime.options_allow import answer_options
from mlp.common.runtime.problems import PROBLEM_HANDLERS
from mlp.common.runtime.storable_text import refuse_unstorable_text
from mlp.common.runtime.tracing import tracing_plugins

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]
BeforeRequestHook = Callable[[Request[Any, Any, Any]], Awaitable[Response[Any] | None]]
"""A ``before_request`` hook: a response answers the request instead of its handler."""
"""A service's own ``before_request`` hook; it runs after the shared refusal of unstorable text."""


def _chain(*hooks: BeforeRequestHook) -> BeforeRequestHook:
    """The hooks in order; the first answer (a response) ends the chain."""

    async def hook(request: Request[Any, Any, Any]) -> Any:
        for each in hooks:
            answer = await each(request)
            if answer is not None:
                return answer
        return None

    return hook


def build_service_app(
    *,
    name: str,
    package: str,
    schema: str,
    database_url: str,
    db_pool_size: int,
    route_handlers: Sequence[ControllerRouterHandler],
    lifespans: Sequence[Lifespan] = (),
    public_paths: tuple[str, ...] = (),
    exception_handlers_extra: ExceptionHandlersMap | None = None,
    otlp_endpoint: str = "",
    metrics: bool = True,
    before_request: BeforeRequestHook | None = None,
    debug: bool = False,
    **config: Any,
) -> Litestar:
    @asynccontextmanager
    async def engine_lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.engine = create_engine(database_url, db_pool_size)
        POOLS.engines[name] = app.state.engine
        try:
            yield
        finally:
            POOLS.engines.pop(name, None)
            await app.state.engine.dispose()

    app = Litestar(
        route_handlers=[HealthController, metrics_route, *route_handlers],
        middleware=[
            *([request_metrics(name)] if metrics else []),  # off only to measure its cost (bench/)
            RequestIdMiddleware(),
            PrincipalAuthMiddleware(public_paths),
        ],
        before_request=_chain(answer_options, refuse_unstorable_text, *([before_request] if before_request else [])),
        exception_handlers={**PROBLEM_HANDLERS, **(exception_handlers_extra or {})},
        lifespan=[engine_lifespan, *lifespans, _freeze_startup_objects],
        state=State(
            {
                "service": name,
                "schema": schema,
                "head_revision": head_revision(package),
                "older_revisions": older_revisions(package),
            }
        ),
        openapi_config=OpenAPIConfig(
            title=f"mlp {name}",
            version="0.1.0",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")},
                responses=dict(ERROR_RESPONSES),
            ),
            security=[{"bearer": []}],
        ),
        plugins=[ClosedStructSchemaPlugin(), *tracing_plugins(name, otlp_endpoint), *config.pop("plugins", [])],
        debug=debug,
        **config,
    )
    require_declared_access(app, public_paths)
    document_errors(app, public_paths)
    return app


@asynccontextmanager
async def _freeze_startup_objects(app: Litestar) -> AsyncIterator[None]:
    """Moves what startup built (the app, its routes, SQLAlchemy's tables, pools) out of the
    collector's reach: without it, every full collection walks them all and stalls the event loop
    for tens of milliseconds under load (seen as the proxy's p99)."""
    gc.collect()
    gc.freeze()
    yield


def state_dependencies(*names: str) -> dict[str, Provide]:
    """Dependencies read from ``app.state``, where a service's lifespan put its use cases."""

    def provider(name: str) -> Provide:
        # through the request, not a ``State`` parameter: Litestar copies the state (and makes
        # an RLock) for every injection of ``State``, which cost the inference proxy 7% of its CPU
        def from_state(request: Request) -> Any:  # type: ignore[type-arg]  # a bare class: no typing isinstance per call
            return request.app.state[name]

        return Provide(from_state, sync_to_thread=False)

    return {name: provider(name) for name in names}
