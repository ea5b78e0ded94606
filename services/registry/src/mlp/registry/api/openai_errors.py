"""Errors of the OpenAI-compatible surface in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``.

Upstream errors are rewritten so nothing of the upstream's URL or credential reaches the caller.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from mlp.common.auth.errors import AuthError
from mlp.common.runtime.problems import Problem
from mlp.registry.application.serving_ports import UpstreamTarget
from mlp.registry.application.upstream_errors import UpstreamError, UpstreamTimeout
from mlp.registry.domain.deployment_errors import (
    DeploymentError,
    DeploymentNotFound,
    ForbiddenUpstream,
    InvalidDeployment,
    InvalidTransition,
    NameTaken,
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


def upstream_failure(status: int, body: bytes, target: UpstreamTarget) -> OpenAIError:
    """An upstream's error answer, kept for 4xx (the caller's mistake) and 502 for the rest; scrubbed."""
    message = f"the model server answered {status}"
    try:
        upstream = json.loads(body).get("error", {})
        if isinstance(upstream, dict) and isinstance(upstream.get("message"), str):
            message = f"{message}: {upstream['message'][:500]}"
    except (ValueError, AttributeError):
        pass
    for secret in filter(None, (target.url, target.credential)):
        message = message.replace(secret, "[redacted]")
    if status < 500 and status not in (401, 403):
        return OpenAIError(status, message, "upstream_rejected")
    # the upstream refusing our credential is a deployment problem, not the caller's
    return OpenAIError(502, message, "upstream_error")


def _on_openai(_: Request[Any, Any, Any], exc: OpenAIError) -> Response[Any]:
    return openai_error_response(exc.status, exc.message, exc.code, exc.param, exc.headers)


def _on_deployment(_: Request[Any, Any, Any], exc: DeploymentError) -> Response[Any]:
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
        (DeploymentError, DeploymentNotFound, InvalidDeployment, ForbiddenUpstream, InvalidTransition, NameTaken),
        _on_deployment,
    ),
    UpstreamError: _on_upstream,
    AuthError: _on_auth,
    **dict.fromkeys((HTTPException, ValidationException, Problem), _on_http),
}
