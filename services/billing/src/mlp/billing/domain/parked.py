"""A refused usage event of a platform service, parked with its reason until a replay resolves it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParkedEvent:
    source: str
    event_id: str
    user_id: uuid.UUID | None
    event: str
    """The event as sent, as ASCII JSON with sorted keys: replayed as it is."""
    digest: bytes
    """SHA-256 of ``event``: a redelivery, or a replay refused again, is parked once."""
    status_code: int
    reason: str
