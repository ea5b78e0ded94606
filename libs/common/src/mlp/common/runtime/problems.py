"""RFC 9457 problem+json for every error a service returns.

``type`` is a stable URN (``urn:mlp:problem:<code>``); validation problems name the
field(s) at fault in ``errors``. Unexpected exceptions become a 500 that leaks nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from mlp.common.auth.errors import AuthError
from mlp.common.runtime.logging import REQUEST_ID_HEADER, REQUEST_ID_STATE_KEY

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:mlp:problem:"

_CODES_BY_STATUS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    503: "unavailable",
}


class Problem(HTTPException):
    """An error with a stable code; raise it from controllers (or map domain errors to it)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=detail, status_code=status_code, headers=headers)
        self.code = code
        self.field = field
        self.more = extra or {}


def problem_response(
    request: Request[Any, Any, Any], status: int, code: str, detail: str, **extra: Any
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": code.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None and k != "headers"})
    headers = dict(extra.get("headers") or {})
    # an error raised in a middleware is answered outside the request-id middleware (use its id); a route
    # that does not exist never reaches it (echo the caller's or make one)
    request_id = (request.scope.get("state") or {}).get(REQUEST_ID_STATE_KEY)
    headers.setdefault(
        REQUEST_ID_HEADER, request_id or request.headers.get(REQUEST_ID_HEADER, "")[:64] or uuid.uuid4().hex
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _on_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[Any]:
    return problem_response(
        request, exc.status_code, exc.code, exc.detail, field=exc.field, headers=exc.headers, **exc.more
    )


def _on_auth_error(request: Request[Any, Any, Any], exc: AuthError) -> Response[Any]:
    headers = dict(exc.headers)
    if exc.status_code == 401:
        headers.setdefault("www-authenticate", 'Bearer realm="mlp"')
    return problem_response(request, exc.status_code, exc.code, exc.detail, headers=headers)


def domain_error_handler(status_code: int) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
    """Handler for a service's domain error class: it carries ``code``, ``detail`` and ``field``."""

    def handle(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        return problem_response(request, status_code, exc.code, exc.detail, field=getattr(exc, "field", None))

    return handle


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    fields = [{"field": e.get("key"), "source": e.get("source"), "message": e.get("message")} for e in errors]
    first = fields[0]["field"] if fields else None
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or exc.detail
    status = 400 if exc.status_code == 400 else exc.status_code
    return problem_response(request, status, "validation-error", detail, field=first, errors=fields or None)


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    code = _CODES_BY_STATUS.get(exc.status_code, "http-error")
    return problem_response(request, exc.status_code, code, exc.detail, headers=exc.headers)


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    structlog.get_logger().exception("unhandled error", path=request.url.path)
    return problem_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal-error", "an unexpected error occurred")


PROBLEM_HANDLERS: ExceptionHandlersMap = {
    Problem: _on_problem,
    AuthError: _on_auth_error,
    ValidationException: _on_validation,
    HTTPException: _on_http,
    Exception: _on_unexpected,
}
