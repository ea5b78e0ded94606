"""Platform-token signing keys and their rotation rules.

The newest unretired key signs. A key is retired once a newer one has signed for longer
than a token lives, so every token still valid can be checked against the published set,
which holds the current key and the previous one(s) still in their grace window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key_pem: str
    public_jwk: dict[str, Any]
    created_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SigningKey, ...]

    @property
    def current(self) -> SigningKey | None:
        active = [k for k in self.keys if k.retired_at is None]
        return max(active, key=lambda k: k.created_at, default=None)

    def needs_new_key(self, now: datetime, rotate_after: timedelta) -> bool:
        current = self.current
        return current is None or now - current.created_at >= rotate_after

    def to_retire(self, now: datetime, token_lifetime: timedelta) -> list[SigningKey]:
        """Older keys whose successor has signed for longer than a token lives."""
        current = self.current
        if current is None or now - current.created_at < token_lifetime:
            return []
        return [k for k in self.keys if k.retired_at is None and k.kid != current.kid]

    def published(self, now: datetime, token_lifetime: timedelta) -> list[SigningKey]:
        """Keys a verifier may still meet: unretired, or retired less than a token lifetime ago."""
        return [k for k in self.keys if k.retired_at is None or now - k.retired_at < token_lifetime]
