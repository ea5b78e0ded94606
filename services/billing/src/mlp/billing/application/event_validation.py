"""The rules one usage event must meet before it is stored (each failure is reported for that event alone)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from mlp.billing.domain.metrics import MetricCatalogue
from mlp.billing.domain.usage import EventRejected, UsageEvent, check_timestamp, parse_quantity
from mlp.common.contracts.usage import UsageEventIn
from mlp.common.runtime.storable_text import UNSTORABLE

MAX_PROPERTIES_BYTES = 4096
"""Bound of an event's properties, encoded as JSON."""

_encode = msgspec.json.Encoder(order="sorted").encode


def _timestamp(raw: object) -> datetime:
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw)) if isinstance(raw, str) else _not_a_time()
    except ValueError:
        return _not_a_time()


def _not_a_time() -> datetime:
    raise EventRejected("timestamp", "timestamp is not an RFC 3339 date-time")


@dataclass(frozen=True, slots=True)
class RawUsageEvent:
    """An event as received, before any rule is checked (fields may be missing or of any type)."""

    event_id: Any = None
    user_id: Any = None
    metric: Any = None
    quantity: Any = None
    timestamp: Any = None
    properties: Any = field(default_factory=dict)


USER_SOURCE = "user"


@dataclass(frozen=True, slots=True)
class Caller:
    """A platform service may report any user's platform usage; a user only their own ``custom.*``.

    ``source`` is the authenticated caller (the service's name, or ``user`` with ``user_id``):
    event ids are unique per (user, source, id), so no caller can take another's id.
    """

    user_id: uuid.UUID | None
    source: str

    @classmethod
    def service(cls, name: str) -> Caller:
        return cls(None, name)

    @classmethod
    def user(cls, user_id: uuid.UUID) -> Caller:
        return cls(user_id, USER_SOURCE)


def validated_event(
    raw: RawUsageEvent | UsageEventIn, caller: Caller, bounds: tuple[datetime, datetime], metrics: MetricCatalogue
) -> UsageEvent:
    """The event ready to store, or :class:`EventRejected` (422) / ``PermissionError`` (403)."""
    if isinstance(raw, UsageEventIn):  # decoded strictly: types and lengths already hold
        user_id, timestamp = raw.user_id, raw.timestamp
    else:
        if not isinstance(raw.event_id, str) or not 1 <= len(raw.event_id) <= 128:
            raise EventRejected("event_id", "event_id is a string of 1 to 128 characters")
        try:
            user_id = uuid.UUID(str(raw.user_id))
        except ValueError:
            raise EventRejected("user_id", "user_id is not a UUID") from None
        timestamp = _timestamp(raw.timestamp)
    if UNSTORABLE.search(str(raw.event_id)):
        raise EventRejected("event_id", "event_id holds a NUL or a lone surrogate")
    metric = metrics.check(raw.metric, by_service=caller.user_id is None)
    quantity = parse_quantity(raw.quantity)
    occurred_at = check_timestamp(timestamp, bounds)
    properties = raw.properties if raw.properties is not None else {}
    if not isinstance(properties, dict):
        raise EventRejected("properties", "properties is an object")
    try:
        encoded = _encode(properties)
    except (UnicodeEncodeError, TypeError):
        raise EventRejected("properties", "properties hold a lone surrogate or a value JSON cannot carry") from None
    if b"\\u0000" in encoded:  # PostgreSQL's jsonb cannot store a NUL
        raise EventRejected("properties", "properties hold a NUL character")
    if len(encoded) > MAX_PROPERTIES_BYTES:
        raise EventRejected("properties", f"properties is an object of at most {MAX_PROPERTIES_BYTES} bytes")
    if caller.user_id is not None and user_id != caller.user_id:
        raise PermissionError("a user credential reports only its own user's usage")
    canonical = f"{metric}|{quantity}|{occurred_at.isoformat()}|".encode() + encoded
    digest = hashlib.sha256(canonical).digest()
    return UsageEvent(
        user_id, str(raw.event_id), metric, quantity, occurred_at, encoded.decode(), digest, caller.source
    )
