"""A refused event of a platform service, as it is parked: the event as sent, its sender and the reason."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import msgspec

from mlp.billing.application.event_validation import RawUsageEvent
from mlp.billing.domain.parked import ParkedEvent
from mlp.common.contracts.usage import UsageEventIn, UsageEventResult

_FIELDS = ("event_id", "user_id", "metric", "quantity", "timestamp", "properties")


def parked_event(source: str, raw: RawUsageEvent | UsageEventIn, result: UsageEventResult) -> ParkedEvent:
    fields: dict[str, Any] = msgspec.to_builtins({name: getattr(raw, name) for name in _FIELDS})
    # ASCII JSON: a NUL or a lone surrogate (refused events may hold them) is kept as its escape
    event = json.dumps(fields, ensure_ascii=True, sort_keys=True)
    try:
        user_id: uuid.UUID | None = uuid.UUID(str(fields["user_id"]))
    except ValueError:
        user_id = None
    digest = hashlib.sha256(event.encode()).digest()
    return ParkedEvent(
        source, result.event_id, user_id, event, digest, result.status_code, result.detail or result.status
    )


def raw_of(event: str) -> RawUsageEvent:
    """A parked event as ingestion takes it again."""
    fields = json.loads(event)
    return RawUsageEvent(**{name: fields.get(name) for name in _FIELDS})
