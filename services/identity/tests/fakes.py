"""In-memory fakes of identity's ports, in one place: the pattern every service copies.

- ``FakeFirebase``: Google's Firebase Auth (external SaaS). The real adapter has its own
  contract tests against the Firebase emulator and the RS256 path (test_firebase_auth.py).
- ``FakeDatabase`` / ``FakeUnitOfWork``: the repositories, with transactions (a unit of work
  works on a copy, ``commit`` publishes it; leaving without commit discards it).
- ``FakeUsageStore``, ``FakeSigningKeys``, ``FakeClock``.

Unit tests of the use cases run against these with a fake clock (no sleep); the SQL adapters
are exercised by the HTTP tests on real PostgreSQL.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from mlp.common.auth.errors import AccountDisabled, CredentialRevoked, InvalidToken
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.contracts.events import UserDeleted
from mlp.identity.adapters.rsa_keys import KeyRingKeySource, RsaKeyFactory, RsaTokenSigner
from mlp.identity.application.accounts import Accounts
from mlp.identity.application.api_key_verification import ApiKeyVerifier
from mlp.identity.application.api_keys import ApiKeys
from mlp.identity.application.caller_verification import CallerVerification
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.firebase_verification import FirebaseTokenVerifier
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.platform_tokens import PlatformTokens
from mlp.identity.application.ports import WindowClaim, WindowRef
from mlp.identity.application.quota_leases import LeasedUsageCounter
from mlp.identity.application.session_refresh import SessionRefresh
from mlp.identity.application.sessions import Sessions
from mlp.identity.application.sign_in import Device, SignedIn, SignIn
from mlp.identity.application.verified import CredentialVerifier
from mlp.identity.domain.api_keys import ApiKey, KeyHasher, StoredSecret
from mlp.identity.domain.audit import AuditQuery, OperationEvent
from mlp.identity.domain.service_credentials import ServiceCredentials
from mlp.identity.domain.sessions import UserSession
from mlp.identity.domain.signing_keys import SigningKey
from mlp.identity.domain.users import FirebaseIdentity, User


class FakeFirebase:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self.users: dict[str, FirebaseIdentity] = {}
        self.revoked: set[str] = set()
        self.disabled: set[str] = set()
        self.revocations: list[str] = []
        self.lookups: list[str] = []

    def new_user(self, email: str | None = None, name: str | None = None) -> tuple[str, str]:
        """A user and an ID token for them: ``(uid, id_token)``; tokens look like JWTs."""
        uid = uuid.uuid4().hex[:28]
        self.users[uid] = FirebaseIdentity(uid=uid, email=email or f"{uid}@example.com", display_name=name)
        return uid, self.token_for(uid)

    def token_for(self, uid: str) -> str:
        """Shaped like Firebase's (a JWT whose subject is the uid), but unsigned: only this fake reads it."""
        return jwt.encode(
            {"sub": uid, "iss": "fake-firebase", "iat": int(self._clock().timestamp())}, None, algorithm="none"
        )

    async def verify_id_token(self, id_token: str) -> FirebaseIdentity:
        try:
            claims = jwt.decode(id_token, options={"verify_signature": False})
            uid, issued_at = str(claims.get("sub")), claims.get("iat")
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid Firebase ID token") from exc
        if uid not in self.users:
            raise InvalidToken("invalid Firebase ID token")
        if uid in self.disabled:
            raise AccountDisabled("the Firebase user is disabled")
        if uid in self.revoked:
            raise CredentialRevoked("the Firebase ID token was revoked")
        return dataclasses.replace(self.users[uid], issued_at=issued_at if isinstance(issued_at, int) else None)

    async def revoke_refresh_tokens(self, uid: str) -> None:
        self.revocations.append(uid)
        self.revoked.add(uid)

    async def user_state(self, uid: str) -> str:
        self.lookups.append(uid)
        if uid not in self.users:
            return "deleted"
        return "disabled" if uid in self.disabled else "active"


class FakeClock:
    """Wall time (``clock()``) and monotonic time (``monotonic()``) that move only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        # starts at the real time: platform tokens it stamps are checked for expiry with time.time()
        self.now = start or datetime.now(UTC).replace(microsecond=0)
        self._origin = self.now

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - self._origin).total_seconds()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Tables:
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    sessions: dict[uuid.UUID, tuple[UserSession, bytes | None]] = field(default_factory=dict)
    api_keys: dict[uuid.UUID, tuple[ApiKey, StoredSecret]] = field(default_factory=dict)
    events: dict[uuid.UUID, OperationEvent] = field(default_factory=dict)
    announced: list[UserDeleted] = field(default_factory=list)


class FakeDatabase:
    """The committed state; ``uow`` is the ``UnitOfWorkFactory`` use cases take."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.transactions = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self._tables = copy.deepcopy(db.tables)
        self.users = FakeUsers(self._tables)
        self.sessions = FakeSessions(self._tables)
        self.api_keys = FakeApiKeys(self._tables)
        self.audit = FakeAuditLog(self._tables)
        self.outbox = FakeOutbox(self._tables)

    async def __aenter__(self) -> FakeUnitOfWork:
        self._db.transactions += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self._db.tables = copy.deepcopy(self._tables)


class FakeUsers:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get(self, user_id: uuid.UUID) -> User | None:
        user = self._t.users.get(user_id)
        return user if user is not None and user.deleted_at is None else None

    async def by_firebase_uid(self, firebase_uid: str) -> User | None:
        return next((u for u in self._t.users.values() if u.firebase_uid == firebase_uid), None)

    async def upsert_from_firebase(self, identity: FirebaseIdentity, now: datetime) -> User:
        user = await self.by_firebase_uid(identity.uid)
        if user is None:
            user = User(
                uuid.uuid4(),
                identity.uid,
                identity.email,
                identity.email_verified,
                identity.display_name,
                identity.photo_url,
                created_at=now,
                updated_at=now,
            )
        user = replace(user, email=identity.email, last_sign_in_at=now, updated_at=now)
        self._t.users[user.id] = user
        return user

    async def update_profile(self, user_id: uuid.UUID, changes: dict[str, Any], now: datetime) -> User | None:
        user = await self.get(user_id)
        if user is None:
            return None
        self._t.users[user_id] = user = replace(user, **changes, updated_at=now)
        return user

    async def soft_delete(self, user_id: uuid.UUID, now: datetime) -> User | None:
        return await self.update_profile(user_id, {"deleted_at": now, "tokens_valid_after": now}, now)

    async def revoke_tokens(self, user_id: uuid.UUID, now: datetime) -> None:
        await self.update_profile(user_id, {"tokens_valid_after": now}, now)


class FakeSessions:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, session: UserSession, refresh_digest: bytes) -> None:
        self._t.sessions[session.id] = (session, refresh_digest)

    async def get(self, user_id: uuid.UUID, session_id: uuid.UUID) -> UserSession | None:
        found = self._t.sessions.get(session_id)
        return found[0] if found is not None and found[0].user_id == user_id else None

    async def list_active(self, user_id: uuid.UUID, now: datetime) -> list[UserSession]:
        return [s for s, _ in self._t.sessions.values() if s.user_id == user_id and s.is_active(now)]

    async def for_refresh(self, session_id: uuid.UUID) -> tuple[UserSession, bytes | None] | None:
        return self._t.sessions.get(session_id)

    async def touch(
        self, session_id: uuid.UUID, now: datetime, refresh_digest: bytes, firebase_checked_at: datetime
    ) -> None:
        session, _ = self._t.sessions[session_id]
        self._t.sessions[session_id] = (
            replace(session, last_seen_at=now, firebase_checked_at=firebase_checked_at),
            refresh_digest,
        )

    async def revoke(
        self,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        revoked = []
        for sid, (session, _) in list(self._t.sessions.items()):
            if session.user_id != user_id or session.revoked_at is not None or sid == keep or (only and sid != only):
                continue
            self._t.sessions[sid] = (replace(session, revoked_at=now, revoked_reason=reason), None)
            revoked.append(sid)
        return revoked


class FakeApiKeys:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, key: ApiKey, digest: bytes) -> None:
        self._t.api_keys[key.id] = (key, StoredSecret(digest, None, None))

    async def get(self, user_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        found = self._t.api_keys.get(key_id)
        return found[0] if found is not None and found[0].user_id == user_id else None

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[ApiKey]:
        keys = sorted((k for k, _ in self._t.api_keys.values() if k.user_id == user_id), key=lambda k: k.id)
        return [k for k in keys if after is None or k.id > after][:limit]

    async def by_prefix(self, prefix: str) -> tuple[ApiKey, StoredSecret] | None:
        return next((found for found in self._t.api_keys.values() if found[0].prefix == prefix), None)

    async def rename(self, user_id: uuid.UUID, key_id: uuid.UUID, name: str, now: datetime) -> ApiKey | None:
        key = await self.get(user_id, key_id)
        if key is None:
            return None
        self._t.api_keys[key_id] = (key := replace(key, name=name), self._t.api_keys[key_id][1])
        return key

    async def rotate(
        self, user_id: uuid.UUID, key_id: uuid.UUID, digest: bytes, previous_until: datetime, now: datetime
    ) -> ApiKey | None:
        key = await self.get(user_id, key_id)
        if key is None or key.revoked_at is not None:
            return None
        old = self._t.api_keys[key_id][1]
        key = replace(key, rotated_at=now, previous_secret_expires_at=previous_until)
        self._t.api_keys[key_id] = (key, StoredSecret(digest, old.digest, previous_until))
        return key

    async def revoke(self, user_id: uuid.UUID, now: datetime, *, only: uuid.UUID | None = None) -> list[ApiKey]:
        revoked = []
        for key_id, (key, secret) in list(self._t.api_keys.items()):
            if key.user_id == user_id and key.revoked_at is None and only in (None, key_id):
                self._t.api_keys[key_id] = (key := replace(key, revoked_at=now), secret)
                revoked.append(key)
        return revoked

    async def mark_used(self, key_id: uuid.UUID, now: datetime) -> None:
        key, secret = self._t.api_keys[key_id]
        self._t.api_keys[key_id] = (replace(key, last_used_at=now), secret)


class FakeAuditLog:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def record(self, events: list[OperationEvent]) -> int:
        new = [e for e in events if e.event_id not in self._t.events]
        self._t.events.update({e.event_id: e for e in new})
        return len(new)

    async def query(self, query: AuditQuery) -> list[OperationEvent]:
        mine = [e for e in self._t.events.values() if e.user_id == query.user_id]
        if query.action is not None:
            mine = [e for e in mine if e.action == query.action]
        return sorted(mine, key=lambda e: (e.occurred_at, e.event_id), reverse=True)[: query.limit]


class FakeOutbox:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def announce_user_deleted(self, event: UserDeleted) -> None:
        self._t.announced.append(event)


class FakeUsageStore:
    """Counts per (key, kind, start); ``reservations`` counts the transactions a real store would run."""

    def __init__(self) -> None:
        self.counts_by_window: dict[WindowRef, int] = {}
        self.reservations = 0

    async def reserve(self, key_id: uuid.UUID, claims: list[WindowClaim]) -> dict[str, tuple[int, int]]:
        self.reservations += 1
        counts = {c.kind: self.counts_by_window.get((key_id, c.kind, c.start), 0) for c in claims}
        taken = {c.kind: min(c.wanted, c.limit - counts[c.kind]) for c in claims}
        if any(got <= 0 for got in taken.values()):
            return {kind: (0, count) for kind, count in counts.items()}
        for c in claims:
            self.counts_by_window[(key_id, c.kind, c.start)] = counts[c.kind] + taken[c.kind]
        return {kind: (taken[kind], counts[kind] + taken[kind]) for kind in counts}

    async def counts(self, windows: list[WindowRef]) -> dict[WindowRef, int]:
        return {w: self.counts_by_window[w] for w in windows if w in self.counts_by_window}


class FakeSigningKeys:
    def __init__(self) -> None:
        self.keys: dict[str, SigningKey] = {}

    async def list_recent(self, since: datetime) -> list[SigningKey]:
        return [k for k in self.keys.values() if k.retired_at is None or k.retired_at > since]

    async def add(self, key: SigningKey) -> None:
        self.keys[key.kid] = key

    async def retire(self, kids: list[str], at: datetime) -> None:
        for kid in kids:
            self.keys[kid] = replace(self.keys[kid], retired_at=at)


class FakeIdentity:
    """identity's use cases wired on the fakes above, as ``create_app`` wires them on adapters."""

    def __init__(self, *, cache_seconds: float = 2.0, firebase_recheck_seconds: int = 3600) -> None:
        self.clock = FakeClock()
        self.db = FakeDatabase()
        self.firebase = FakeFirebase(self.clock)
        self.usage_store = FakeUsageStore()
        self.cache = CredentialCache(cache_seconds, cache_seconds, clock=self.clock.monotonic)
        self.hasher = KeyHasher({1: b"unit-test-pepper"}, current=1)
        self.tokens = PlatformTokens(
            FakeSigningKeys(),
            RsaKeyFactory(),
            RsaTokenSigner(),
            token_lifetime=timedelta(minutes=5),
            rotate_after=timedelta(days=30),
            clock=self.clock,
        )
        self.services = ServiceCredentials([SERVICE_CREDENTIAL])
        uow, clock = self.db.uow, self.clock
        self.grants = GrantChecks(uow, self.cache, clock)
        usage = LeasedUsageCounter(self.usage_store)
        self.key_verifier = ApiKeyVerifier(uow, usage, self.hasher, self.cache, self.grants, clock)
        verifiers: list[CredentialVerifier] = [
            self.key_verifier,
            FirebaseTokenVerifier(uow, self.firebase, self.cache, self.grants, clock),
        ]
        own_tokens = PlatformTokenVerifier(KeyRingKeySource(self.tokens.published_keys))
        self.callers = CallerVerification(own_tokens, self.tokens, verifiers, self.grants, self.services)
        self.sign_in = SignIn(uow, self.firebase, self.tokens, session_lifetime=timedelta(days=30), clock=clock)
        self.refresh = SessionRefresh(
            uow,
            self.firebase,
            self.tokens,
            self.cache,
            firebase_recheck=timedelta(seconds=firebase_recheck_seconds),
            clock=clock,
        )
        self.sessions = Sessions(uow, self.firebase, self.cache, clock)
        self.api_keys = ApiKeys(uow, usage, self.hasher, self.cache, clock)
        self.accounts = Accounts(uow, self.firebase, self.cache, clock)

    async def signed_in(self) -> SignedIn:
        _, id_token = self.firebase.new_user()
        return await self.sign_in.sign_in(id_token, Device(user_agent="unit", ip_address=None))


SERVICE_CREDENTIAL = "mlpsvc_registry_" + "u" * 32
