"""Verification for everyone else: the gateway's forward auth and services called directly.

Takes the caller's ``Authorization`` header (a platform token, and with the sign-in and
API-key use cases, a Firebase ID token or an API key) and answers with the principal and a
platform token for the upstream. Minted tokens are reused while they have more than half of
their life left, so a busy API key costs one RSA signature per half token lifetime.
"""

from __future__ import annotations

import time
from typing import Protocol

from mlp.common.auth.errors import InvalidCredential
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import bearer_token, is_platform_token
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX

MAX_CACHED_TOKENS = 10_000


class CredentialVerifier(Protocol):
    """Checks one kind of credential; ``accepts`` looks only at its shape."""

    def accepts(self, token: str) -> bool: ...

    async def verify(self, token: str) -> Principal: ...


class CallerVerification:
    def __init__(
        self, platform_verifier: PlatformTokenVerifier, tokens: PlatformTokens, verifiers: list[CredentialVerifier]
    ) -> None:
        self._platform_verifier = platform_verifier
        self._tokens = tokens
        self._verifiers = verifiers
        self._minted: dict[Principal, tuple[IssuedToken, float]] = {}

    async def verify(self, authorization: str) -> tuple[Principal, IssuedToken]:
        token = bearer_token(authorization)
        if token.startswith(SERVICE_CREDENTIAL_PREFIX):
            raise InvalidCredential("service credentials are exchanged at identity, not presented to services")
        if is_platform_token(token):
            principal = await self._platform_verifier.verify(token)
            return principal, await self._token_for(principal)
        for verifier in self._verifiers:
            if verifier.accepts(token):
                principal = await verifier.verify(token)
                return principal, await self._token_for(principal)
        raise InvalidCredential("unrecognised credential: expected a Firebase ID token, an API key or a platform token")

    async def _token_for(self, principal: Principal) -> IssuedToken:
        now = time.monotonic()
        cached = self._minted.get(principal)
        if cached is not None and cached[1] - now > cached[0].expires_in / 2:
            return IssuedToken(cached[0].token, int(cached[1] - now))
        issued = await self._tokens.issue(principal)
        if len(self._minted) >= MAX_CACHED_TOKENS:
            self._minted.clear()
        self._minted[principal] = (issued, now + issued.expires_in)
        return issued
