"""registry's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.auth.resolver import CredentialResolver
from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.contracts.events import UserDeleted
from mlp.common.runtime.inbox import OnUserDeleted, nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.problems import domain_error_handler
from mlp.common.runtime.service_app import build_service_app, state_dependencies
from mlp.common.runtime.spend_limits import SPEND_LIMIT_HANDLERS, SpendLimits
from mlp.common.runtime.spend_wiring import spend_limits_lifespan
from mlp.registry.adapters.db.files_purge import files_purge
from mlp.registry.adapters.db.models_purge import purge_user_models
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.db.serving_purge import purge_serving
from mlp.registry.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.registry.adapters.db.tune_purge import purge_tune_jobs
from mlp.registry.api.datasets import DATASET_ROUTES
from mlp.registry.api.deployments import DeploymentController
from mlp.registry.api.files import FILE_ROUTES
from mlp.registry.api.inference_requests import InferenceRequestController
from mlp.registry.api.openai_inference import OpenAIInferenceController
from mlp.registry.api.problems_files import DOMAIN_PROBLEM_HANDLERS
from mlp.registry.api.tune_jobs import TUNE_ROUTES
from mlp.registry.domain.deployment_errors import (
    DeploymentNotFound,
    ForbiddenUpstream,
    InvalidDeployment,
    InvalidTransition,
    NameTaken,
)
from mlp.registry.files_wiring import FILES_USE_CASES, FilesPart, OutboxFactory, blob_storage
from mlp.registry.models_wiring import MODEL_ERROR_HANDLERS, MODEL_USE_CASES, model_routes, models_lifespan
from mlp.registry.serving_wiring import serving_lifespan
from mlp.registry.settings import RegistrySettings, registry_settings
from mlp.registry.tune_wiring import TUNE_ERROR_HANDLERS, TUNE_USE_CASES, tune_lifespan

SERVING_ERRORS: ExceptionHandlersMap = {
    DeploymentNotFound: domain_error_handler(404),
    InvalidDeployment: domain_error_handler(400),
    ForbiddenUpstream: domain_error_handler(422),
    InvalidTransition: domain_error_handler(409),
    NameTaken: domain_error_handler(409),
}


def purge_user(outbox: OutboxFactory) -> OnUserDeleted:
    """Every part's purge of a deleted user, in the transaction that records the event (deployments
    and tune jobs before the models they reference); then any row of the user still in registry's tables refuses the
    event (503, redelivered) rather than acknowledging it with data left behind."""
    purge_files = files_purge(outbox)
    nothing_left = nothing_to_purge_yet(metadata)

    async def purge(conn: AsyncConnection, event: UserDeleted) -> None:
        await purge_serving(conn, event.user_id)
        await purge_tune_jobs(conn, event.user_id)
        await purge_user_models(conn, event)
        await purge_files(conn, event)
        await nothing_left(conn, event)

    return purge


def create_app(
    settings: RegistrySettings | None = None,
    *,
    outbox: OutboxFactory | None = None,
    resolver: CredentialResolver | None = None,
    spend_limits: SpendLimits | None = None,
) -> Litestar:
    """``outbox`` defaults to the transactional outbox in schema ``registry``; ``resolver`` replaces
    asking identity (tests sign their own platform tokens); ``spend_limits`` replaces asking billing."""
    settings = settings or registry_settings()
    outbox = outbox or registry_outbox
    configure_logging("registry", settings.log_level)

    @asynccontextmanager
    async def wire_files(app: Litestar) -> AsyncIterator[None]:
        if resolver is not None:
            app.state.resolver = resolver
        async with blob_storage(settings) as storage:
            part = FilesPart(app.state.engine, storage, settings, outbox)
            app.state.update(files=part.files, datasets=part.datasets, dataset_reads=part.dataset_reads)
            yield

    return build_service_app(
        name="registry",
        package="mlp.registry",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        otlp_endpoint=settings.otlp_endpoint,
        route_handlers=[
            whoami,
            user_deleted_receiver("registry", received_events, on_user_deleted=purge_user(outbox)),
            *FILE_ROUTES,
            *DATASET_ROUTES,
            *model_routes(),
            DeploymentController,
            OpenAIInferenceController,
            InferenceRequestController,
            *TUNE_ROUTES,
        ],
        lifespans=[
            identity_auth_lifespan(settings),
            spend_limits_lifespan(settings, "registry", spend_limits),
            wire_files,
            models_lifespan(outbox, settings.model_page_size_max),
            serving_lifespan(settings, outbox),
            tune_lifespan(settings, outbox),
        ],
        dependencies=state_dependencies(*FILES_USE_CASES, *MODEL_USE_CASES, *TUNE_USE_CASES),
        exception_handlers_extra={
            **DOMAIN_PROBLEM_HANDLERS,
            **MODEL_ERROR_HANDLERS,
            **SERVING_ERRORS,
            **TUNE_ERROR_HANDLERS,
            **SPEND_LIMIT_HANDLERS,
        },
    )
