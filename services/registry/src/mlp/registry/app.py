"""registry's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from litestar import Litestar
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.contracts.events import UserDeleted
from mlp.common.runtime.inbox import nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.problems import domain_error_handler
from mlp.common.runtime.service_app import build_service_app
from mlp.registry.adapters.db.serving_purge import purge_serving
from mlp.registry.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.registry.api.deployments import DeploymentController
from mlp.registry.api.inference_requests import InferenceRequestController
from mlp.registry.api.openai_inference import OpenAIInferenceController
from mlp.registry.domain.deployment_errors import (
    DeploymentNotFound,
    ForbiddenUpstream,
    InvalidDeployment,
    InvalidTransition,
    NameTaken,
)
from mlp.registry.serving_wiring import OutboxFactory, registry_outbox, serving_lifespan
from mlp.registry.settings import RegistrySettings, registry_settings

SERVING_ERRORS: ExceptionHandlersMap = {
    DeploymentNotFound: domain_error_handler(404),
    InvalidDeployment: domain_error_handler(400),
    ForbiddenUpstream: domain_error_handler(422),
    InvalidTransition: domain_error_handler(409),
    NameTaken: domain_error_handler(409),
}

_nothing_left = nothing_to_purge_yet(metadata)


async def purge_user_data(conn: AsyncConnection, event: UserDeleted) -> None:
    """Every area's purge, in the receipt's transaction (deployments before the models they serve); then
    any row of the user still in registry's tables refuses the event (503, redelivered) rather than
    acknowledging it with data left behind."""
    await purge_serving(conn, event.user_id)
    await _nothing_left(conn, event)


def create_app(settings: RegistrySettings | None = None, *, outbox: OutboxFactory = registry_outbox) -> Litestar:
    settings = settings or registry_settings()
    configure_logging("registry", settings.log_level)
    return build_service_app(
        name="registry",
        package="mlp.registry",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[
            whoami,
            user_deleted_receiver("registry", received_events, on_user_deleted=purge_user_data),
            DeploymentController,
            OpenAIInferenceController,
            InferenceRequestController,
        ],
        lifespans=[identity_auth_lifespan(settings), serving_lifespan(settings, outbox)],
        exception_handlers_extra=SERVING_ERRORS,
    )
