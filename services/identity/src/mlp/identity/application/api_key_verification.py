"""Checking an API key on every call (the hot path of forward auth).

A key's record is kept in the :class:`CredentialCache` (2 s by default): a key revoked or
rotated on another identity replica stops within that time (on this one, at once); its user
must still be active. Quotas are counted in PostgreSQL on every call, so they hold across
replicas. ``last_used_at`` is written at most once a minute per key, and a quota refusal is
audited once per key and window (both memories bounded).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from mlp.common.auth.errors import InvalidCredential, QuotaExceeded
from mlp.common.auth.principal import Principal
from mlp.common.auth.ttl_lru import TtlLru
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.ports import UnitOfWorkFactory, UsageCounter
from mlp.identity.application.request_context import audit_event
from mlp.identity.application.verified import Verified, rate_limit_headers
from mlp.identity.domain.api_keys import ApiKey, KeyHasher, KeyRecord, parse_prefix
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX

LAST_USED_EVERY_SECONDS = 60.0
REFUSAL_AUDIT_MEMORY_SECONDS = 3600.0


class ApiKeyVerifier:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        usage: UsageCounter,
        hasher: KeyHasher,
        cache: CredentialCache,
        grants: GrantChecks,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._usage = usage
        self._hasher = hasher
        self._key_records = cache.key_records
        self._grants = grants
        self._clock = clock
        self._last_used_written: TtlLru[uuid.UUID, bool] = TtlLru(LAST_USED_EVERY_SECONDS)
        self._refusals_audited: TtlLru[tuple[uuid.UUID, datetime], bool] = TtlLru(REFUSAL_AUDIT_MEMORY_SECONDS)

    def accepts(self, token: str) -> bool:
        return token.startswith("mlp_") and not token.startswith(SERVICE_CREDENTIAL_PREFIX)

    async def verify(self, token: str) -> Verified:
        prefix = parse_prefix(token)
        if prefix is None:
            raise InvalidCredential("malformed API key: expected mlp_<env>_<id>_<secret>")
        key, secret = await self._record(prefix)
        now = self._clock()
        if not secret.matches(self._hasher, token, now) or not key.usable(now):
            raise InvalidCredential("API key is invalid, revoked or expired")
        valid_after = await self._grants.check_user(key.user_id)
        decision = await self._usage.count_request(key, now)
        headers = rate_limit_headers(decision, now)
        if not decision.allowed:
            await self._audit_refusal(key, decision.windows[0].resets_at, now)
            raise QuotaExceeded(f"API key quota exceeded ({decision.windows[0].kind} window)", headers=headers)
        await self._mark_used(key, now)
        principal = Principal(user_id=key.user_id, scopes=key.scopes, api_key_id=key.id)
        return Verified(principal, headers, tokens_valid_after=valid_after, counted=bool(decision.windows))

    async def _record(self, prefix: str) -> KeyRecord:
        cached = self._key_records.get(prefix)
        if cached is not None:
            return cached
        async with self._uow() as uow:
            found = await uow.api_keys.by_prefix(prefix)
        if found is None:
            raise InvalidCredential("API key is invalid, revoked or expired")
        self._key_records.put(prefix, found)
        return found

    async def _mark_used(self, key: ApiKey, now: datetime) -> None:
        if self._last_used_written.get(key.id):
            return
        self._last_used_written.put(key.id, True)
        async with self._uow() as uow:
            await uow.api_keys.mark_used(key.id, now)
            await uow.commit()

    async def _audit_refusal(self, key: ApiKey, window_end: datetime, now: datetime) -> None:
        if self._refusals_audited.get((key.id, window_end)):
            return
        self._refusals_audited.put((key.id, window_end), True)
        async with self._uow() as uow:
            event = audit_event(key.user_id, "api_key.quota_exceeded", "api_key", key.id, now, outcome="denied")
            await uow.audit.record([event])
            await uow.commit()
