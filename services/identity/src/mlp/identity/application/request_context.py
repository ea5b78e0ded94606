"""Who made the request behind an event identity records: request id, client IP, user agent.

The api layer sets it for each request (a ``before_request`` hook); use cases build their
audit events with :func:`audit_event`, which adds it. A context variable keeps every use case's
signature free of transport details, and outside a request (workers, tests) it is simply absent.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from mlp.identity.domain.audit import OperationEvent, identity_event

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class RequestContext:
    request_id: str | None
    ip_address: str | None
    user_agent: str | None


_current: ContextVar[RequestContext | None] = ContextVar("identity_request_context", default=None)


def set_request_context(context: RequestContext) -> None:
    _current.set(context)


def audit_event(
    user_id: uuid.UUID, action: str, resource_type: str, resource_id: object, at: datetime, **details: Any
) -> OperationEvent:
    """:func:`identity_event`, stamped with the current request's id, client IP and user agent."""
    event = identity_event(user_id, action, resource_type, resource_id, at, **details)
    context = _current.get()
    if context is None:
        return event
    user_agent = (context.user_agent or "")[:MAX_USER_AGENT] or None
    return replace(event, request_id=context.request_id, ip_address=context.ip_address, user_agent=user_agent)
