"""The model registry's part of registry's composition root: routes, error mapping, use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.runtime.problems import domain_error_handler
from mlp.registry.adapters.db.models_unit_of_work import SqlModelsUnitOfWork
from mlp.registry.api import model_aliases, model_versions, registered_models
from mlp.registry.api.mlflow.router import mlflow_router
from mlp.registry.application.model_aliases import ModelAliases
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.application.models_ports import AuditOutbox, Clock, ModelsUnitOfWork, utc_now
from mlp.registry.application.registered_models import RegisteredModels
from mlp.registry.domain.models_errors import InvalidModelInput, ModelAlreadyExists, ModelInUse, ModelNotFound

OutboxFactory = Callable[[AsyncConnection], AuditOutbox]

MODEL_USE_CASES = ("registered_models", "model_versions", "model_aliases")

MODEL_ERROR_HANDLERS: ExceptionHandlersMap = {
    InvalidModelInput: domain_error_handler(422),
    ModelNotFound: domain_error_handler(404),
    ModelAlreadyExists: domain_error_handler(409),
    ModelInUse: domain_error_handler(409),
}


def model_routes() -> list[ControllerRouterHandler]:
    return [
        registered_models.create_model,
        registered_models.list_models,
        registered_models.get_model,
        registered_models.get_model_by_name,
        registered_models.update_model,
        registered_models.rename_model,
        registered_models.delete_model,
        model_versions.create_version,
        model_versions.list_versions,
        model_versions.get_version,
        model_versions.update_version,
        model_versions.delete_version,
        *model_aliases.MODEL_ALIAS_ROUTES,
        mlflow_router(),
    ]


def models_lifespan(
    outbox: OutboxFactory, max_page_size: int, clock: Clock = utc_now
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Puts the model registry's use cases on ``app.state`` once the engine exists."""

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        engine = app.state.engine

        def uow(*, read_only: bool = False) -> ModelsUnitOfWork:
            return SqlModelsUnitOfWork(engine, outbox, read_only=read_only)

        app.state.update(
            registered_models=RegisteredModels(uow, clock, max_page_size),
            model_versions=ModelVersions(uow, clock, max_page_size),
            model_aliases=ModelAliases(uow, clock),
        )
        yield

    return wire
