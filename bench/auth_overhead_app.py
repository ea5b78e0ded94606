"""The app bench_auth_overhead.py serves: one GET mounted twice on a service's full stack.

Both routes run the same handler behind the same middleware (request ids, access log,
problem handlers); ``/bench/open`` is public, ``/bench/authed`` needs a platform token,
verified by libs/common exactly as registry does (JWKS fetched from a running identity).
"""

from __future__ import annotations

from litestar import Litestar, get

from mlp.common.auth.litestar import PUBLIC, requires_scopes
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app
from mlp.registry.settings import registry_settings

BODY = {"models": [{"id": "m-1", "name": "sentiment", "versions": 3}]}


@get("/bench/open", opt=PUBLIC, sync_to_thread=False)
def open_get() -> dict[str, object]:
    return BODY


@get("/bench/authed", opt=requires_scopes("models:read"), sync_to_thread=False)
def authed_get() -> dict[str, object]:
    return BODY


def create_app() -> Litestar:
    settings = registry_settings()
    configure_logging("bench", "WARNING")
    return build_service_app(
        name="bench",
        package="mlp.registry",
        schema="registry",
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[open_get, authed_get],
        lifespans=[identity_auth_lifespan(settings)],
    )
