"""The audit and usage events the files and datasets use cases emit (through the outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import STORAGE_BYTES, UsageEventIn

SERVICE = "registry"


def audit_event(
    user_id: uuid.UUID, action: str, resource_type: str, resource_id: uuid.UUID, at: datetime, **details: Any
) -> OperationEventIn:
    return OperationEventIn(
        event_id=uuid.uuid4(),
        user_id=user_id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        occurred_at=at,
        service=SERVICE,
        details=details,
    )


def stored_bytes_event(user_id: uuid.UUID, file_id: uuid.UUID, size: int, at: datetime) -> UsageEventIn:
    """``storage.bytes``: bytes newly stored, once per file (the file id makes redelivery harmless)."""
    return UsageEventIn(
        event_id=f"registry.file.{file_id}",
        user_id=user_id,
        metric=STORAGE_BYTES,
        quantity=Decimal(size),
        timestamp=at,
        properties={"file_id": str(file_id)},
    )
