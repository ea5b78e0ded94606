"""Turns an ``Authorization`` header into a Principal, choosing the right verifier.

Platform tokens (our issuer) are verified locally, and a user's token is then vouched for by
identity once per grant and few seconds (its session, key or user may have been revoked);
anything else (API keys, Firebase ID tokens) is handed to identity. identity itself plugs in
its own in-process verifier.
"""

from __future__ import annotations

from typing import Protocol

import jwt

from mlp.common.auth.errors import AuthError
from mlp.common.auth.platform_claims import PLATFORM_ISSUER
from mlp.common.auth.platform_token import PlatformTokenVerifier, VerifiedToken
from mlp.common.auth.principal import Principal


class CredentialResolver(Protocol):
    def known(self, authorization: str) -> Principal | None:
        """The principal of a credential verified moments ago, without I/O (the hot path)."""
        ...

    async def resolve(self, authorization: str) -> Principal:
        """The caller's principal, or an :class:`AuthError`."""
        ...


class RemoteVerifier(Protocol):
    async def verify(self, authorization: str) -> Principal:
        """An API key's or Firebase ID token's principal, as identity answers."""
        ...

    def known_grant(self, token: VerifiedToken) -> bool:
        """identity vouched for this token's session/key/user moments ago (no I/O)."""
        ...

    async def check_grant(self, raw_token: str, token: VerifiedToken) -> None:
        """Raise if the token's session, key or user was revoked."""
        ...


def bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("expected 'Authorization: Bearer <token>'")
    return token.strip()


def is_platform_token(token: str) -> bool:
    if token.count(".") != 2:
        return False
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss") == PLATFORM_ISSUER
    except jwt.PyJWTError:
        return False


class ServiceCredentialResolver:
    """What a service other than identity uses: local JWT check, identity for the rest."""

    def __init__(self, platform_tokens: PlatformTokenVerifier, identity: RemoteVerifier | None) -> None:
        self._platform_tokens = platform_tokens
        self._identity = identity

    def known(self, authorization: str) -> Principal | None:
        if authorization[:7].lower() != "bearer ":
            return None
        token = self._platform_tokens.cached_token(authorization[7:])
        return token.principal if token is not None and self._vouched(token) else None

    async def resolve(self, authorization: str) -> Principal:
        token = bearer_token(authorization)
        if is_platform_token(token):
            verified = await self._platform_tokens.verify_token(token)
            if self._identity is not None and verified.principal.kind != "service":
                await self._identity.check_grant(token, verified)
            return verified.principal
        if self._identity is None:
            raise AuthError("only platform tokens are accepted here")
        return await self._identity.verify(authorization)

    def _vouched(self, token: VerifiedToken) -> bool:
        """Service tokens are not revocable per user; without identity there is no one to ask."""
        if token.principal.kind == "service" or self._identity is None:
            return True
        return self._identity.known_grant(token)
