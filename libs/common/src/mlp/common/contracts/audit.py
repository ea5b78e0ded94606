"""OperationEvents that every service delivers to identity's audit trail, in batches."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

MAX_AUDIT_BATCH = 500

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class OperationEventIn(msgspec.Struct, frozen=True, kw_only=True):
    """``event_id`` is chosen by the sender: redelivering the same event creates no duplicate."""

    event_id: uuid.UUID
    user_id: uuid.UUID
    action: ShortText
    resource_type: ShortText
    occurred_at: datetime
    service: ShortText
    resource_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    outcome: Annotated[str, msgspec.Meta(max_length=32)] = "success"
    details: dict[str, Any] = msgspec.field(default_factory=dict)


def operation_event(
    service: str,
    user_id: uuid.UUID,
    action: str,
    resource_type: str,
    resource_id: object,
    at: datetime,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
) -> OperationEventIn:
    """A new event (its own id) about one resource; ``resource_id`` is kept to its first 128 characters."""
    return OperationEventIn(
        event_id=uuid.uuid4(),
        user_id=user_id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id)[:128],
        occurred_at=at,
        service=service,
        outcome=outcome,
        details=details or {},
    )


class OperationEventBatch(msgspec.Struct, frozen=True, kw_only=True):
    events: Annotated[list[OperationEventIn], msgspec.Meta(min_length=1, max_length=MAX_AUDIT_BATCH)]


class BatchReceipt(msgspec.Struct, frozen=True, kw_only=True):
    accepted: int
    duplicates: int
