"""The audit trail: what happened to a user's resources, by whom, with what outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class OperationEvent:
    event_id: uuid.UUID
    user_id: uuid.UUID
    service: str
    action: str
    resource_type: str
    occurred_at: datetime
    resource_id: str | None = None
    outcome: str = "success"
    details: dict[str, Any] = field(default_factory=dict)
    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """Filters of a user's audit listing; ``before`` is the cursor (newest first)."""

    user_id: uuid.UUID
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: tuple[datetime, uuid.UUID] | None = None
    limit: int = 50


def identity_event(
    user_id: uuid.UUID, action: str, resource_type: str, resource_id: object, at: datetime, **details: Any
) -> OperationEvent:
    """An event identity records about its own resources."""
    outcome = str(details.pop("outcome", "success"))
    return OperationEvent(
        event_id=uuid.uuid4(),
        user_id=user_id,
        service="identity",
        action=action,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        occurred_at=at,
        outcome=outcome,
        details=details,
    )
