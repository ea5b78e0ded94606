"""Device sessions: one per sign-in, refreshed with an opaque token, revocable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserSession:
    id: uuid.UUID
    user_id: uuid.UUID
    user_agent: str | None
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    firebase_checked_at: datetime | None = None
    """When refresh last asked Firebase whether the user is still enabled."""

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
