"""Errors of the OpenAI-compatible surface in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``.

Upstream errors are rewritten so nothing of the upstream's URL or credential reaches the caller.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from mlp.common.auth.errors import AuthError
from mlp.common.runtime.problems import Problem
from mlp.registry.api.upstream_answers import upstream_code
from mlp.registry.application.upstream_errors import UpstreamError, UpstreamTimeout
from mlp.registry.domain.deployment_errors import (
    DeploymentError,
    DeploymentNotFound,
    ForbiddenUpstream,
    InvalidDeployment,
    InvalidTransition,
    NameTaken,
    NotServing,
)

TYPES_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    429: "rate_limit_error",
}


class OpenAIError(Exception):
    def __init__(
        self, status: int, message: str, code: str, param: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}


def openai_error_response(
    status: int, message: str, code: str, param: str | None = None, headers: dict[str, str] | None = None
) -> Response[Any]:
    kind = TYPES_BY_STATUS.get(status, "api_error" if status < 500 else "server_error")
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def upstream_failure(status: int, body: bytes) -> OpenAIError:
    """An upstream's error answer: its status kept for 4xx (the caller's mistake), 502 for the rest.

    The upstream's message is never quoted (it may name its address, a resolved IP or a credential
    in any spelling): the caller gets a summary, the status and the upstream's error ``code`` and
    ``param`` when they are plain identifiers."""
    code, param = upstream_code(body)
    summary = f"the model server answered {status}" + (f" ({code})" if code else "")
    if status < 500 and status not in (401, 403):
        return OpenAIError(status, f"{summary}: the request was refused", code or "upstream_rejected", param)
    # the upstream refusing our credential is a deployment problem, not the caller's
    return OpenAIError(502, f"{summary}: the deployment's model server failed", "upstream_error")


def _on_openai(_: Request[Any, Any, Any], exc: OpenAIError) -> Response[Any]:
    return openai_error_response(exc.status, exc.message, exc.code, exc.param, exc.headers)


def _on_deployment(_: Request[Any, Any, Any], exc: DeploymentError) -> Response[Any]:
    if isinstance(exc, NotServing):
        if exc.status == "stopped":
            return openai_error_response(409, exc.detail, "deployment_stopped", exc.field)
        return openai_error_response(503, exc.detail, f"deployment_{exc.status}", exc.field)
    if isinstance(exc, DeploymentNotFound):
        return openai_error_response(404, exc.detail, "model_not_found", exc.field)
    if isinstance(exc, InvalidTransition):
        return openai_error_response(409, exc.detail, "deployment_stopped", exc.field)
    if isinstance(exc, InvalidDeployment):
        return openai_error_response(400, exc.detail, "invalid_value", exc.field)
    return openai_error_response(400, exc.detail, exc.code, exc.field)


def _on_upstream(_: Request[Any, Any, Any], exc: UpstreamError) -> Response[Any]:
    if isinstance(exc, UpstreamTimeout):
        return openai_error_response(504, str(exc), "upstream_timeout")
    return openai_error_response(502, str(exc), "upstream_unavailable")


def _on_auth(_: Request[Any, Any, Any], exc: AuthError) -> Response[Any]:
    return openai_error_response(exc.status_code, exc.detail, exc.code.replace("-", "_"), headers=exc.headers)


def _on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    param = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        param = exc.extra[0].get("key")
    return openai_error_response(exc.status_code, exc.detail, "invalid_request", param, exc.headers)


# Every class the app maps to problem+json is listed: the most specific class wins across layers.
OPENAI_ERROR_HANDLERS: ExceptionHandlersMap = {
    OpenAIError: _on_openai,
    **dict.fromkeys(
        (
            DeploymentError,
            DeploymentNotFound,
            InvalidDeployment,
            ForbiddenUpstream,
            InvalidTransition,
            NameTaken,
            NotServing,
        ),
        _on_deployment,
    ),
    UpstreamError: _on_upstream,
    AuthError: _on_auth,
    **dict.fromkeys((HTTPException, ValidationException, Problem), _on_http),
}
