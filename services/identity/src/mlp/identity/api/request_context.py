"""Hands each request's id, client IP and user agent to the use cases' audit events."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request

from mlp.identity.application.request_context import RequestContext, set_request_context


async def remember_request(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: runs in the handler's task, so the context reaches the use case.
    The client IP is uvicorn's (``X-Forwarded-For`` only from ``FORWARDED_ALLOW_IPS`` proxies)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    set_request_context(
        RequestContext(
            request_id=str(request_id) if request_id else None,
            ip_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
    )
