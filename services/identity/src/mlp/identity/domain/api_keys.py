"""API keys, the machine credential: ``mlp_<env>_<id>_<secret>``, shown once.

Only an HMAC of the whole key (keyed with a server-side pepper) and its public prefix
(``mlp_<env>_<id>``, the lookup key) are stored. Rotation keeps the previous secret valid until
a grace deadline the caller chooses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import datetime

KEY_PATTERN = re.compile(r"^mlp_(live|test)_([a-z0-9]{12})_([A-Za-z0-9]{40})$")
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ApiKey:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    requests_per_minute: int | None = None
    requests_per_month: int | None = None
    last_used_at: datetime | None = None
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    previous_secret_expires_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class StoredSecret:
    """What verification compares: the current digest and, during a rotation's grace, the old one."""

    digest: bytes
    previous_digest: bytes | None
    previous_expires_at: datetime | None

    def matches(self, digest: bytes, now: datetime) -> bool:
        if hmac.compare_digest(self.digest, digest):
            return True
        in_grace = self.previous_digest is not None and (self.previous_expires_at or now) > now
        return in_grace and hmac.compare_digest(self.previous_digest or b"", digest)


@dataclass(frozen=True)
class NewSecret:
    """A freshly made key: ``plaintext`` goes to the caller once, the rest is stored."""

    plaintext: str
    prefix: str
    digest: bytes


class KeyHasher:
    def __init__(self, pepper: bytes, env: str = "live") -> None:
        self._pepper = pepper
        self._env = env

    def digest(self, plaintext: str) -> bytes:
        return hmac.new(self._pepper, plaintext.encode(), hashlib.sha256).digest()

    def new_key(self, prefix: str | None = None) -> NewSecret:
        """A new key; rotation passes the existing ``prefix`` so the key keeps its identity."""
        prefix = prefix or f"mlp_{self._env}_{_random(12, string.ascii_lowercase + string.digits)}"
        plaintext = f"{prefix}_{_random(40, _ALPHABET)}"
        return NewSecret(plaintext=plaintext, prefix=prefix, digest=self.digest(plaintext))


def parse_prefix(plaintext: str) -> str | None:
    """The lookup prefix of a well-formed key, or None for anything else."""
    match = KEY_PATTERN.match(plaintext)
    return f"mlp_{match.group(1)}_{match.group(2)}" if match else None


def _random(length: int, alphabet: str) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


KeyRecord = tuple[ApiKey, StoredSecret]
"""What verification reads about a key: the key and its stored digests."""
