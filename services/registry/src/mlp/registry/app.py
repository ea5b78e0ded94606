"""registry's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.contracts.events import UserDeleted
from mlp.common.runtime.inbox import OnUserDeleted, nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.outbox import Outbox
from mlp.common.runtime.service_app import build_service_app, state_dependencies
from mlp.registry.adapters.db.models_purge import purge_user_models
from mlp.registry.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.registry.application.models_ports import AuditOutbox
from mlp.registry.models_wiring import (
    MODEL_ERROR_HANDLERS,
    MODEL_USE_CASES,
    OutboxFactory,
    model_routes,
    models_lifespan,
)
from mlp.registry.settings import RegistrySettings, registry_settings


def pgqueuer_outbox(conn: AsyncConnection) -> AuditOutbox:
    """Audit events go out through the transactional outbox (relayed by ``mlp worker registry``)."""
    return Outbox(conn, schema=SCHEMA)


def purge_user(*purges: OnUserDeleted) -> OnUserDeleted:
    """Each part's purge in turn, then a check that no table still holds the user's rows: until every
    part has its purge, an event for a user with rows left is refused (and redelivered)."""
    leftovers = nothing_to_purge_yet(metadata)

    async def purge(conn: AsyncConnection, event: UserDeleted) -> None:
        for part in purges:
            await part(conn, event)
        await leftovers(conn, event)

    return purge


def create_app(settings: RegistrySettings | None = None, *, audit_outbox: OutboxFactory | None = None) -> Litestar:
    """``audit_outbox`` binds the outbox of audit events to a transaction's connection (default: the job queue)."""
    settings = settings or registry_settings()
    configure_logging("registry", settings.log_level)
    outbox = audit_outbox or pgqueuer_outbox
    return build_service_app(
        name="registry",
        package="mlp.registry",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[
            whoami,
            user_deleted_receiver("registry", received_events, on_user_deleted=purge_user(purge_user_models)),
            *model_routes(),
        ],
        lifespans=[identity_auth_lifespan(settings), models_lifespan(outbox, settings.model_page_size_max)],
        dependencies=state_dependencies(*MODEL_USE_CASES),
        exception_handlers_extra={**MODEL_ERROR_HANDLERS},
    )
