"""My API keys: create (secret shown once), list, get, rename, revoke, rotate, usage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from mlp.common.auth.errors import CredentialRevoked
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.ports import UnitOfWorkFactory, UsageCounter
from mlp.identity.application.request_context import audit_event
from mlp.identity.domain import api_key_rules as rules
from mlp.identity.domain.api_keys import ApiKey, KeyHasher
from mlp.identity.domain.errors import NotFound
from mlp.identity.domain.quotas import QuotaDecision

KEY_NOT_FOUND = "no such API key"


@dataclass(frozen=True)
class KeyRequest:
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None = None
    requests_per_minute: int | None = None
    requests_per_month: int | None = None


@dataclass(frozen=True)
class KeyWithSecret:
    key: ApiKey
    secret: str


class ApiKeys:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        usage: UsageCounter,
        hasher: KeyHasher,
        cache: CredentialCache,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._usage = usage
        self._hasher = hasher
        self._cache = cache
        self._clock = clock

    async def create(self, user_id: uuid.UUID, request: KeyRequest) -> KeyWithSecret:
        now = self._clock()
        key = ApiKey(
            id=uuid.uuid4(),
            user_id=user_id,
            name=rules.key_name(request.name),
            prefix="",
            scopes=rules.key_scopes(request.scopes),
            created_at=now,
            expires_at=rules.key_expiry(request.expires_at, now),
            requests_per_minute=rules.quota(request.requests_per_minute, "requests_per_minute", rules.MAX_PER_MINUTE),
            requests_per_month=rules.quota(request.requests_per_month, "requests_per_month", rules.MAX_PER_MONTH),
        )
        secret = self._hasher.new_key()
        key = replace(key, prefix=secret.prefix)
        async with self._uow() as uow:
            if await uow.users.get(user_id) is None:
                raise CredentialRevoked("this account was deleted")
            await uow.api_keys.add(key, secret.digest)
            await uow.audit.record([audit_event(user_id, "api_key.create", "api_key", key.id, now, name=key.name)])
            await uow.commit()
        return KeyWithSecret(key, secret.plaintext)

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[ApiKey]:
        async with self._uow() as uow:
            return await uow.api_keys.list_for_user(user_id, limit, after)

    async def get(self, user_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
        async with self._uow() as uow:
            key = await uow.api_keys.get(user_id, key_id)
        if key is None:
            raise NotFound(KEY_NOT_FOUND)
        return key

    async def usage(self, keys: list[ApiKey]) -> dict[uuid.UUID, QuotaDecision]:
        """The quota use of every key, in one read."""
        return await self._usage.usage_of_keys(keys, self._clock())

    async def rename(self, user_id: uuid.UUID, key_id: uuid.UUID, name: str) -> ApiKey:
        async with self._uow() as uow:
            key = await uow.api_keys.rename(user_id, key_id, rules.key_name(name), self._clock())
            await uow.commit()
        if key is None:
            raise NotFound(KEY_NOT_FOUND)
        return key

    async def revoke(self, user_id: uuid.UUID, key_id: uuid.UUID) -> None:
        now = self._clock()
        async with self._uow() as uow:
            revoked = await uow.api_keys.revoke(user_id, now, only=key_id)
            if not revoked:
                raise NotFound("no such active API key")
            await uow.audit.record([audit_event(user_id, "api_key.revoke", "api_key", key_id, now)])
            await uow.commit()
        for key in revoked:
            self._cache.invalidate_key(key.id, key.prefix)

    async def rotate(self, user_id: uuid.UUID, key_id: uuid.UUID, grace_seconds: int) -> KeyWithSecret:
        """A new secret now; the old one keeps working for ``grace_seconds``, then fails."""
        now = self._clock()
        grace = rules.rotation_grace(grace_seconds)
        async with self._uow() as uow:
            current = await uow.api_keys.get(user_id, key_id)
            if current is None or not current.usable(now):
                raise NotFound("no such active API key")
            secret = self._hasher.new_key(prefix=current.prefix)
            key = await uow.api_keys.rotate(user_id, key_id, secret.digest, now + grace, now)
            if key is None:
                raise NotFound("no such active API key")
            event = audit_event(user_id, "api_key.rotate", "api_key", key_id, now, grace_seconds=grace_seconds)
            await uow.audit.record([event])
            await uow.commit()
        self._cache.invalidate_key(key.id, key.prefix)
        return KeyWithSecret(key, secret.plaintext)
