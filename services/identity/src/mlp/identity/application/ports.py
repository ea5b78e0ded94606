"""What identity's use cases need from the outside world."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mlp.common.contracts.events import UserDeleted
from mlp.identity.domain.api_keys import ApiKey, StoredSecret
from mlp.identity.domain.audit import AuditQuery, OperationEvent
from mlp.identity.domain.quotas import QuotaDecision
from mlp.identity.domain.sessions import UserSession
from mlp.identity.domain.signing_keys import SigningKey
from mlp.identity.domain.users import FirebaseIdentity, User


class SigningKeyRepository(Protocol):
    async def list_recent(self, since: datetime) -> list[SigningKey]:
        """Unretired keys, and keys retired after ``since``."""
        ...

    async def add(self, key: SigningKey) -> None: ...

    async def retire(self, kids: list[str], at: datetime) -> None: ...


class KeyFactory(Protocol):
    def new_key(self, now: datetime) -> SigningKey: ...


class TokenSigner(Protocol):
    def sign(self, claims: dict[str, Any], key: SigningKey) -> str: ...


class FirebaseAuth(Protocol):
    """Google's Firebase Auth (production) or its emulator (tests)."""

    async def verify_id_token(self, id_token: str) -> FirebaseIdentity:
        """Check signature, audience (project id), issuer, expiry, revocation and disabled state.

        Raises ``InvalidToken`` (malformed, expired, wrong audience/issuer, bad signature),
        ``CredentialRevoked`` (refresh tokens revoked, or the user was deleted),
        ``AccountDisabled`` or ``AuthUnavailable`` from ``mlp.common.auth.errors``.
        """
        ...

    async def revoke_refresh_tokens(self, uid: str) -> None:
        """Sign the user out of every Firebase client; tolerate an already deleted user."""
        ...

    async def user_state(self, uid: str) -> str:
        """``active``, ``disabled`` or ``deleted``, as Firebase knows the user now."""
        ...


class UserRepository(Protocol):
    async def get(self, user_id: uuid.UUID) -> User | None:
        """A user that is not deleted."""
        ...

    async def by_firebase_uid(self, firebase_uid: str) -> User | None:
        """The user with this Firebase uid, deleted or not."""
        ...

    async def upsert_from_firebase(self, identity: FirebaseIdentity, now: datetime) -> User:
        """Create on first sign-in, refresh the profile after; a deleted user is not revived."""
        ...

    async def update_profile(self, user_id: uuid.UUID, changes: dict[str, Any], now: datetime) -> User | None: ...

    async def soft_delete(self, user_id: uuid.UUID, now: datetime) -> User | None:
        """Mark deleted and start a revocation epoch (every credential issued before is refused)."""
        ...

    async def revoke_tokens(self, user_id: uuid.UUID, now: datetime) -> None:
        """Start a revocation epoch: credentials issued before ``now`` are refused."""
        ...


class SessionRepository(Protocol):
    async def add(self, session: UserSession, refresh_digest: bytes) -> None: ...

    async def get(self, user_id: uuid.UUID, session_id: uuid.UUID) -> UserSession | None: ...

    async def list_active(self, user_id: uuid.UUID, now: datetime) -> list[UserSession]: ...

    async def for_refresh(self, session_id: uuid.UUID) -> tuple[UserSession, bytes | None] | None:
        """The session and its current refresh-token digest, locked until the transaction ends."""
        ...

    async def touch(
        self, session_id: uuid.UUID, now: datetime, refresh_digest: bytes, firebase_checked_at: datetime
    ) -> None:
        """Record activity, the (rotated) refresh token and when Firebase last vouched for the user."""
        ...

    async def revoke(
        self,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """Revoke active sessions (one with ``only``, all but one with ``keep``); their ids."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey, digest: bytes) -> None: ...

    async def get(self, user_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None: ...

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[ApiKey]: ...

    async def by_prefix(self, prefix: str) -> tuple[ApiKey, StoredSecret] | None: ...

    async def rename(self, user_id: uuid.UUID, key_id: uuid.UUID, name: str, now: datetime) -> ApiKey | None: ...

    async def rotate(
        self, user_id: uuid.UUID, key_id: uuid.UUID, digest: bytes, previous_until: datetime, now: datetime
    ) -> ApiKey | None: ...

    async def revoke(self, user_id: uuid.UUID, now: datetime, *, only: uuid.UUID | None = None) -> list[ApiKey]:
        """Revoke the user's active keys (or just ``only``); the keys revoked."""
        ...

    async def mark_used(self, key_id: uuid.UUID, now: datetime) -> None: ...


WindowRef = tuple[uuid.UUID, str, datetime]
"""A quota window: (key id, kind, start)."""


@dataclass(frozen=True)
class WindowClaim:
    """A request for up to ``wanted`` requests of a key's window, never past ``limit``."""

    kind: str
    start: datetime
    limit: int
    wanted: int


class UsageStore(Protocol):
    """Request counts per key and window, shared by every identity replica."""

    async def reserve(self, key_id: uuid.UUID, claims: list[WindowClaim]) -> dict[str, tuple[int, int]]:
        """Atomically take from every claimed window, or from none if one is full.

        Per window kind: (taken, the window's count after taking). When one window is full,
        nothing is taken (0 everywhere) and the counts are as found: the full one at its limit.
        """
        ...

    async def counts(
        self, windows: list[tuple[uuid.UUID, str, datetime]]
    ) -> dict[tuple[uuid.UUID, str, datetime], int]:
        """Stored counts of (key id, kind, start) windows, in one read; absent windows count 0."""
        ...


class UsageCounter(Protocol):
    async def count_request(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """Count one request against the key's windows, atomically across replicas."""
        ...

    async def usage(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """The windows as they stand, counting nothing."""
        ...

    async def usage_of_keys(self, keys: list[ApiKey], now: datetime) -> dict[uuid.UUID, QuotaDecision]:
        """The windows of several keys, in one read."""
        ...


class AuditLog(Protocol):
    async def record(self, events: list[OperationEvent]) -> int:
        """Store events, skipping event ids already stored; how many were new."""
        ...

    async def query(self, query: AuditQuery) -> list[OperationEvent]: ...


class Outbox(Protocol):
    async def announce_user_deleted(self, event: UserDeleted) -> None:
        """Enqueue delivery to every subscriber, in the caller's transaction."""
        ...


class UnitOfWork(Protocol):
    """One database transaction; committed only by ``commit()``, rolled back otherwise."""

    users: UserRepository
    sessions: SessionRepository
    api_keys: ApiKeyRepository
    audit: AuditLog
    outbox: Outbox

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
