"""registry's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from litestar import Litestar

from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.inbox import nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app
from mlp.registry.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.registry.settings import RegistrySettings, registry_settings


def create_app(settings: RegistrySettings | None = None) -> Litestar:
    settings = settings or registry_settings()
    configure_logging("registry", settings.log_level)
    return build_service_app(
        name="registry",
        package="mlp.registry",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        otlp_endpoint=settings.otlp_endpoint,
        route_handlers=[
            whoami,
            # no code of registry writes user data yet: nothing to purge, and an event for a user who has rows
            # is refused until a real purge replaces this hook
            user_deleted_receiver("registry", received_events, on_user_deleted=nothing_to_purge_yet(metadata)),
        ],
        lifespans=[identity_auth_lifespan(settings)],
    )
