"""The usage event the files use case emits (through the outbox) when bytes are stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from mlp.common.contracts.usage import STORAGE_BYTES, UsageEventIn


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
