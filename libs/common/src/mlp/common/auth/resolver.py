"""Turns an ``Authorization`` header into a Principal, choosing the right verifier.

Platform tokens (our issuer) are verified locally; anything else (API keys, Firebase ID
tokens) is handed to identity. identity itself plugs in its own in-process verifier.
"""

from __future__ import annotations

from typing import Protocol

import jwt

from mlp.common.auth.errors import AuthError
from mlp.common.auth.platform_claims import PLATFORM_ISSUER
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal


class CredentialResolver(Protocol):
    def known(self, authorization: str) -> Principal | None:
        """The principal of a credential verified moments ago, without I/O (the hot path)."""
        ...

    async def resolve(self, authorization: str) -> Principal:
        """The caller's principal, or an :class:`AuthError`."""
        ...


class RemoteVerifier(Protocol):
    async def verify(self, authorization: str) -> Principal: ...


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
        return self._platform_tokens.cached(authorization[7:]) if authorization[:7].lower() == "bearer " else None

    async def resolve(self, authorization: str) -> Principal:
        token = bearer_token(authorization)
        if is_platform_token(token):
            return await self._platform_tokens.verify(token)
        if self._identity is None:
            raise AuthError("only platform tokens are accepted here")
        return await self._identity.verify(authorization)
