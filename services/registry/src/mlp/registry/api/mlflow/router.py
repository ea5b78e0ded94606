"""``/api/2.0/mlflow``: MLflow's model registry routes, with MLflow's error JSON."""

from __future__ import annotations

from litestar import Router

from mlp.registry.api.mlflow.errors import MLFLOW_ERROR_HANDLERS
from mlp.registry.api.mlflow.model_versions import MLFLOW_VERSION_ROUTES
from mlp.registry.api.mlflow.registered_models import MLFLOW_MODEL_ROUTES

MLFLOW_PREFIX = "/api/2.0/mlflow"


def mlflow_router() -> Router:
    return Router(
        path=MLFLOW_PREFIX,
        route_handlers=[*MLFLOW_MODEL_ROUTES, *MLFLOW_VERSION_ROUTES],
        exception_handlers=MLFLOW_ERROR_HANDLERS,
    )
