"""API keys, the machine credential: ``mlp_<env>_<id>_<secret>``, shown once.

Only an HMAC of the whole key (keyed with a server-side pepper) and its public prefix
(``mlp_<env>_<id>``, the lookup key) are stored. A digest starts with the id of its pepper
(one byte), so the pepper can be rotated: new keys use the current one, existing keys keep
verifying with theirs (digests without an id, made before ids existed, are pepper 0). Rotation
of a key keeps the previous secret valid until a grace deadline the caller chooses.
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

    def matches(self, hasher: KeyHasher, plaintext: str, now: datetime) -> bool:
        if hasher.verify(self.digest, plaintext):
            return True
        in_grace = self.previous_digest is not None and (self.previous_expires_at or now) > now
        return in_grace and hasher.verify(self.previous_digest or b"", plaintext)


@dataclass(frozen=True)
class NewSecret:
    """A freshly made key: ``plaintext`` goes to the caller once, the rest is stored."""

    plaintext: str
    prefix: str
    digest: bytes


MAC_SIZE = hashlib.sha256().digest_size
LEGACY_PEPPER_ID = 0
"""The pepper of digests made before digests carried an id (32 bytes, no id byte)."""


class KeyHasher:
    def __init__(self, peppers: dict[int, bytes], current: int, env: str = "live") -> None:
        if current not in peppers or not all(0 <= pid <= 255 for pid in peppers):
            raise ValueError("the current pepper id must be one of the peppers, ids 0-255")
        self._peppers = peppers
        self._current = current
        self._env = env

    def digest(self, plaintext: str) -> bytes:
        """The digest of a new secret: the current pepper's id, then the HMAC."""
        return bytes([self._current]) + self._mac(self._peppers[self._current], plaintext)

    def verify(self, stored: bytes, plaintext: str) -> bool:
        pepper_id, mac = (
            (LEGACY_PEPPER_ID, stored) if len(stored) == hashlib.sha256().digest_size else (stored[0], stored[1:])
        )
        pepper = self._peppers.get(pepper_id)
        return pepper is not None and hmac.compare_digest(mac, self._mac(pepper, plaintext))

    @staticmethod
    def _mac(pepper: bytes, plaintext: str) -> bytes:
        return hmac.new(pepper, plaintext.encode(), hashlib.sha256).digest()

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
