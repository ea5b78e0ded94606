"""Verification for everyone else: the gateway's forward auth and services called directly.

Takes the caller's ``Authorization`` header (a platform token, a Firebase ID token or an API
key) and answers with the principal and a platform token for the upstream. A platform token
of a revoked session is refused here at once (services that verify it locally accept it until
it expires, at most the token lifetime). Minted tokens are reused while they have more than
half of their life left, so a busy API key costs one RSA signature per half token lifetime.
"""

from __future__ import annotations

import time
import uuid

from mlp.common.auth.errors import CredentialRevoked, InvalidCredential
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import bearer_token, is_platform_token
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.application.ports import UnitOfWorkFactory
from mlp.identity.application.ttl_cache import TtlCache
from mlp.identity.application.verified import CredentialVerifier, Verified
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX


class CallerVerification:
    def __init__(
        self,
        platform_verifier: PlatformTokenVerifier,
        tokens: PlatformTokens,
        verifiers: list[CredentialVerifier],
        uow: UnitOfWorkFactory,
        active_sessions: TtlCache[uuid.UUID, bool],
        clock: Clock = utc_now,
    ) -> None:
        self._platform_verifier = platform_verifier
        self._tokens = tokens
        self._verifiers = verifiers
        self._uow = uow
        self._clock = clock
        self._minted: TtlCache[Principal, tuple[IssuedToken, float]] = TtlCache(ttl_seconds=0)
        self._active_sessions = active_sessions

    async def resolve(self, authorization: str) -> Verified:
        token = bearer_token(authorization)
        if token.startswith(SERVICE_CREDENTIAL_PREFIX):
            raise InvalidCredential("service credentials are exchanged at identity, not presented to services")
        if is_platform_token(token):
            principal = await self._platform_verifier.verify(token)
            await self._check_session(principal)
            return Verified(principal)
        for verifier in self._verifiers:
            if verifier.accepts(token):
                return await verifier.verify(token)
        raise InvalidCredential("unrecognised credential: expected a Firebase ID token, an API key or a platform token")

    async def verify(self, authorization: str) -> tuple[Verified, IssuedToken]:
        verified = await self.resolve(authorization)
        return verified, await self._token_for(verified.principal)

    async def _check_session(self, principal: Principal) -> None:
        if principal.session_id is None:
            return
        if self._active_sessions.get(principal.session_id):
            return
        async with self._uow() as uow:
            session = await uow.sessions.get(principal.user_id, principal.session_id)
        if session is None or not session.is_active(self._clock()):
            raise CredentialRevoked("this session was revoked or has expired")
        self._active_sessions.put(principal.session_id, True)

    async def _token_for(self, principal: Principal) -> IssuedToken:
        now = time.monotonic()
        cached = self._minted.get(principal)
        if cached is not None:
            issued, expires_at = cached
            return IssuedToken(issued.token, int(expires_at - now))
        issued = await self._tokens.issue(principal)
        self._minted.put(principal, (issued, now + issued.expires_in), ttl_seconds=issued.expires_in / 2)
        return issued
