"""Opaque keyset cursors ``(created_at, id)`` for newest-first listings."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from mlp.registry.domain.deployment_errors import InvalidDeployment


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created_at, _, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(created_at), uuid.UUID(row_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidDeployment("cursor", "cursor is not one this API gave out") from exc
