"""Structured JSON logs with a request id on every line.

The request id comes from the ``X-Request-ID`` header (set by the gateway) or is made here,
is echoed in the response, and is bound to structlog's context for the whole request. An error
raised by a middleware below (the auth middleware's 401/403/429) is answered here, with the
app's problem handlers, so the access log and the metrics record the status the client got.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import structlog
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mlp.common.runtime.scope_headers import scope_header
from mlp.common.runtime.tracing import name_span_by_route

REQUEST_ID_HEADER = "x-request-id"
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
    """Binds the request id and writes one access-log line per request (and, as the first
    middleware after routing, names the request's trace span by its route)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = _incoming_request_id(scope) or os.urandom(16).hex()  # a uuid4 object costs 3x more
        name_span_by_route(scope)
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
                if "code" in status:  # the answer has started: nothing else can be sent
                    raise
                # raised by a middleware below (auth: 401/403/429): answered here with the app's own
                # problem handlers, so the log, the metrics and the request id see the real answer
                await _answer_error(scope, receive, send_with_id, exc)
            finally:
                _access_log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status.get("code", 500),
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


async def _answer_error(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    app = scope["litestar_app"]
    request: Request[Any, Any, Any] = Request(scope, receive)
    # the route's own handlers first (e.g. OpenAI's error shape on the inference routes), then the app's
    route = scope.get("route_handler")
    handlers = route.resolve_exception_handlers() if route is not None else app.exception_handlers
    handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
    if handler is None:
        raise exc
    response = handler(request, exc)
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


def _incoming_request_id(scope: Scope) -> str | None:
    return (scope_header(scope, b"x-request-id") or "")[:64] or None
