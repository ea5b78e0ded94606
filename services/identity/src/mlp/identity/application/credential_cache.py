"""identity's one memory of recently checked credentials, per replica, bounded (LRU).

Every use case that revokes something tells it at once (``invalidate_user``, ``_key``,
``_session``), so this replica stops accepting the credential immediately; other replicas
re-read within their entry's lifetime (``IDENTITY_CREDENTIAL_CACHE_SECONDS``, 2 s by default),
which with the services' 3 s keeps any revocation under 5 s platform-wide.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.common.auth.ttl_lru import TtlLru
from mlp.identity.domain.api_keys import KeyRecord


@dataclass(frozen=True)
class UserStanding:
    """Whether a user may still act, and since when their tokens count (Unix seconds)."""

    active: bool
    tokens_valid_after: int = 0


@dataclass(frozen=True)
class FirebaseAnswer:
    user_id: uuid.UUID
    issued_at: int


class CredentialCache:
    def __init__(
        self,
        ttl_seconds: float,
        firebase_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key_records: TtlLru[str, KeyRecord] = TtlLru(ttl_seconds, max_entries, clock)
        """API keys by prefix: the key and its stored digests."""
        self.key_usable: TtlLru[uuid.UUID, uuid.UUID] = TtlLru(ttl_seconds, max_entries, clock)
        """Keys (by id) seen usable, to the user owning them: tokens minted for a key."""
        self.sessions: TtlLru[uuid.UUID, uuid.UUID] = TtlLru(ttl_seconds, max_entries, clock)
        """Sessions seen active, to their user."""
        self.users: TtlLru[uuid.UUID, UserStanding] = TtlLru(ttl_seconds, max_entries, clock)
        self.firebase: TtlLru[bytes, FirebaseAnswer] = TtlLru(firebase_seconds, max_entries, clock)
        """Firebase ID tokens (by digest) Firebase accepted moments ago."""

    def invalidate_user(self, user_id: uuid.UUID) -> None:
        """Forget everything of this user: standing, keys, sessions, Firebase verifications."""
        self.users.forget(user_id)
        self.key_records.forget_where(lambda _, record: record[0].user_id == user_id)
        self.key_usable.forget_where(lambda _, owner: owner == user_id)
        self.sessions.forget_where(lambda _, owner: owner == user_id)
        self.firebase.forget_where(lambda _, answer: answer.user_id == user_id)

    def invalidate_key(self, key_id: uuid.UUID, prefix: str) -> None:
        self.key_records.forget(prefix)
        self.key_usable.forget(key_id)

    def invalidate_session(self, *session_ids: uuid.UUID) -> None:
        self.sessions.forget(*session_ids)
