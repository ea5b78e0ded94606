"""Usage events: the per-event rules of ingestion and the canonical payload that idempotency compares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

MAX_QUANTITY = Decimal("1e24")
"""Above any real meter reading, and within ``NUMERIC(38, 12)``."""
QUANTITY_EXPONENT = -12


@dataclass(frozen=True, slots=True)
class IngestWindow:
    """How far back (late events) and ahead (clock skew) an event's timestamp may be."""

    max_age: timedelta = timedelta(days=35)
    max_ahead: timedelta = timedelta(minutes=5)

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The oldest and the latest acceptable timestamps at ``now``."""
        return now - self.max_age, now + self.max_ahead


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """A valid event, ready to store; ``payload_hash`` (SHA-256 of its canonical payload: metric,
    normalised quantity, UTC timestamp, properties with sorted keys) identifies its content."""

    user_id: uuid.UUID
    event_id: str
    metric: str
    quantity: Decimal
    occurred_at: datetime
    properties_json: str = "{}"
    """The properties as JSON with sorted keys (stored as ``jsonb``)."""
    payload_hash: bytes = b""
    source: str = ""
    """Who reported it (a platform service's name, or ``user``): ids are unique per (user, source)."""


class EventRejected(Exception):
    """One event breaks a rule: reported per event (422), the rest of the batch goes on."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


def parse_quantity(raw: object) -> Decimal:
    if isinstance(raw, Decimal):
        quantity = raw
    elif isinstance(raw, bool) or not isinstance(raw, int | str):
        raise EventRejected("quantity", "quantity must be a number (or a decimal string)")
    else:
        try:
            quantity = Decimal(raw)
        except InvalidOperation:
            raise EventRejected("quantity", "quantity is not a decimal number") from None
    if not quantity.is_finite():
        raise EventRejected("quantity", "quantity must be finite")
    if quantity < 0:
        raise EventRejected("quantity", "quantity must not be negative")
    if quantity >= MAX_QUANTITY:
        raise EventRejected("quantity", f"quantity must be below {MAX_QUANTITY}")
    if quantity != quantity.to_integral_value():
        exponent = quantity.as_tuple().exponent
        if isinstance(exponent, int) and exponent < QUANTITY_EXPONENT:
            raise EventRejected("quantity", "quantity has more than 12 decimal places")
    return quantity.normalize() if quantity else ZERO


ZERO = Decimal(0)


def check_timestamp(occurred_at: datetime, bounds: tuple[datetime, datetime]) -> datetime:
    if occurred_at.tzinfo is None:
        raise EventRejected("timestamp", "timestamp needs a time zone (RFC 3339)")
    oldest, latest = bounds
    if occurred_at < oldest:
        raise EventRejected("timestamp", "timestamp is older than the ingestion window (35 days by default)")
    if occurred_at > latest:
        raise EventRejected("timestamp", "timestamp is too far in the future")
    return occurred_at if occurred_at.tzinfo is UTC else occurred_at.astimezone(UTC)
