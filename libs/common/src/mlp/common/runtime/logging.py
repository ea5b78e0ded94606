"""Structured JSON logs with a request id on every line.

The request id comes from the ``X-Request-ID`` header (set by the gateway) or is made here,
is echoed in the response, and is bound to structlog's context for the whole request.
"""

from __future__ import annotations

import logging
import time
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mlp.common.auth.errors import AuthError
from mlp.common.runtime.scope_headers import scope_header

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_STATE_KEY = "request_id"
_access_log = structlog.get_logger("access")


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


class RequestIdMiddleware(ASGIMiddleware):
    """Binds the request id and writes one access-log line per request."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})[REQUEST_ID_STATE_KEY] = request_id  # for errors answered outside
        status: dict[str, int] = {}
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await next_app(scope, receive, send_with_id)
            except Exception as exc:
                # raised by a middleware below (auth: 401/403/429): the app's exception handler,
                # outside this middleware, answers with the error's own status
                status.setdefault("code", exc.status_code if isinstance(exc, HTTPException | AuthError) else 500)
                raise
            finally:
                _access_log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status.get("code", 500),
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _incoming_request_id(scope: Scope) -> str | None:
    return (scope_header(scope, b"x-request-id") or "")[:64] or None
