"""Verification for everyone else: the gateway's forward auth and services called directly.

Takes the caller's ``Authorization`` header (a platform token, a Firebase ID token or an API
key) and answers with the principal. Whatever the credential, what it derives from (session,
key, user) is checked through :class:`GrantChecks`.

A platform token for the upstream is handed out only to a platform component (the gateway or a
service, proving itself with its own credential in ``x-service-credential``): a client never
gets a token minted for its API key, so every one of its calls goes through the key's quota,
and a token minted for a key (``akid``) presented by a client to this endpoint is refused.
Minted tokens are reused while they have more than half of their life left and are not older
than the user's revocation epoch.
"""

from __future__ import annotations

import time

from mlp.common.auth.errors import InvalidCredential
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import bearer_token, is_platform_token
from mlp.common.auth.ttl_lru import TtlLru
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.application.verified import CredentialVerifier, Verified
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX, ServiceCredentials


class CallerVerification:
    def __init__(
        self,
        platform_verifier: PlatformTokenVerifier,
        tokens: PlatformTokens,
        verifiers: list[CredentialVerifier],
        grants: GrantChecks,
        services: ServiceCredentials,
    ) -> None:
        self._platform_verifier = platform_verifier
        self._tokens = tokens
        self._verifiers = verifiers
        self._grants = grants
        self._services = services
        self._minted: TtlLru[Principal, tuple[IssuedToken, float, int]] = TtlLru(ttl_seconds=0)

    async def resolve(self, authorization: str) -> Verified:
        token = bearer_token(authorization)
        if token.startswith(SERVICE_CREDENTIAL_PREFIX):
            raise InvalidCredential("service credentials are exchanged at identity, not presented to services")
        if is_platform_token(token):
            verified = await self._platform_verifier.verify_token(token)
            if verified.principal.kind == "service":
                return Verified(verified.principal)
            return Verified(verified.principal, tokens_valid_after=await self._grants.check_token(verified))
        for verifier in self._verifiers:
            if verifier.accepts(token):
                return await verifier.verify(token)
        raise InvalidCredential("unrecognised credential: expected a Firebase ID token, an API key or a platform token")

    async def verify(
        self, authorization: str, service_credential: str | None, want_token: bool = True
    ) -> tuple[Verified, IssuedToken | None]:
        """The caller's verdict, and a platform token only when a platform component asks (and
        wants one: a service checking a call it serves itself has no use for it)."""
        verified = await self.resolve(authorization)
        presented = bearer_token(authorization)
        platform_caller = bool(service_credential) and self._services.service_for(service_credential or "") is not None
        if not platform_caller:
            if verified.principal.api_key_id is not None and is_platform_token(presented):
                raise InvalidCredential("a token minted for an API key is for the platform's upstreams only")
            return verified, None
        if not want_token:
            return verified, None
        if is_platform_token(presented):
            entry = self._platform_verifier.cached_token(presented)
            expires_in = int(entry.expires_at - time.time()) if entry is not None else 0
            return verified, IssuedToken(presented, max(expires_in, 0))
        return verified, await self._token_for(verified)

    async def _token_for(self, verified: Verified) -> IssuedToken:
        now = time.monotonic()
        cached = self._minted.get(verified.principal)
        if cached is not None and cached[2] >= verified.tokens_valid_after:
            issued, expires_at, _ = cached
            return IssuedToken(issued.token, int(expires_at - now))
        issued = await self._tokens.issue(verified.principal)
        entry = (issued, now + issued.expires_in, int(time.time()))
        self._minted.put(verified.principal, entry, ttl_seconds=issued.expires_in / 2)
        return issued
