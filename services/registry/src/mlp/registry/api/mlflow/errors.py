"""MLflow's error JSON, ``{"error_code": ..., "message": ...}``, for every failure under ``/api/2.0/mlflow``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.types import ExceptionHandlersMap

from mlp.common.auth.errors import AuthError
from mlp.registry.domain.models_errors import InvalidModelInput, ModelAlreadyExists, ModelInUse, ModelNotFound

CODES: dict[type[Exception], tuple[str, int]] = {
    ModelNotFound: ("RESOURCE_DOES_NOT_EXIST", 404),
    ModelAlreadyExists: ("RESOURCE_ALREADY_EXISTS", 400),
    InvalidModelInput: ("INVALID_PARAMETER_VALUE", 400),
    ModelInUse: ("INVALID_STATE", 400),
}
_AUTH_CODES = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 429: "REQUEST_LIMIT_EXCEEDED"}


def mlflow_error(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"error_code": code, "message": message}, status_code=status, headers=headers)


def _on_registry_error(_: Request[Any, Any, Any], exc: Any) -> Response[Any]:
    code, status = CODES[type(exc)]
    return mlflow_error(code, exc.detail, status)


def _on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    message = "; ".join(f"{e.get('key')}: {e.get('message')}" for e in errors) or exc.detail
    return mlflow_error("INVALID_PARAMETER_VALUE", message, 400)


def _on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return mlflow_error("ENDPOINT_NOT_FOUND", exc.detail, 404)
    return mlflow_error(
        "INVALID_PARAMETER_VALUE" if exc.status_code < 500 else "INTERNAL_ERROR", exc.detail, exc.status_code
    )


def _on_auth(_: Request[Any, Any, Any], exc: AuthError) -> Response[Any]:
    return mlflow_error(_AUTH_CODES.get(exc.status_code, "UNAUTHENTICATED"), exc.detail, exc.status_code, exc.headers)


MLFLOW_ERROR_HANDLERS: ExceptionHandlersMap = {
    **dict.fromkeys(CODES, _on_registry_error),
    ValidationException: _on_validation,
    HTTPException: _on_http,
    AuthError: _on_auth,
}
