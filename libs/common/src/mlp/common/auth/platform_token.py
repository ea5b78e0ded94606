"""Local verification of platform tokens: RS256 JWTs signed by identity, keys from its JWKS.

No network on the hot path: keys come from a :class:`KeySource` (the cached JWKS), and a
verified token's principal is remembered until it expires, so a repeated bearer costs a dict
lookup. The cache is bounded; a revoked session's tokens stop at their (short) expiry.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import NamedTuple, Protocol

import jwt

from mlp.common.auth.errors import InvalidToken
from mlp.common.auth.platform_claims import (
    PLATFORM_ALGORITHM,
    PLATFORM_AUDIENCE,
    PLATFORM_ISSUER,
    claims_to_principal,
)
from mlp.common.auth.principal import Principal


class KeySource(Protocol):
    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        """The public key for ``kid``, refreshing the key set when it is unknown."""
        ...


class VerifiedToken(NamedTuple):
    principal: Principal
    issued_at: int
    expires_at: float


class PlatformTokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str = PLATFORM_ISSUER,
        audience: str = PLATFORM_AUDIENCE,
        leeway_seconds: int = 5,
        cache_size: int = 10_000,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache: OrderedDict[str, VerifiedToken] = OrderedDict()
        self._cache_size = cache_size

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified before and not yet expired."""
        entry = self.cached_token(token)
        return entry.principal if entry is not None else None

    def cached_token(self, token: str) -> VerifiedToken | None:
        entry = self._cache.get(token)
        if entry is not None and entry.expires_at > time.time():
            return entry
        return None

    async def verify(self, token: str) -> Principal:
        return (await self.verify_token(token)).principal

    async def verify_token(self, token: str) -> VerifiedToken:
        """The token's principal and times (``issued_at`` is what revocation epochs compare)."""
        if (entry := self.cached_token(token)) is not None:
            return entry
        entry = await self._verify_uncached(token)
        self._cache[token] = entry
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return entry

    async def _verify_uncached(self, token: str) -> VerifiedToken:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") != PLATFORM_ALGORITHM:
            raise InvalidToken(f"token algorithm must be {PLATFORM_ALGORITHM}")
        kid = header.get("kid")
        key = await self._keys.get_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("token signing key is unknown")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[PLATFORM_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("token is not meant for this platform") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"token refused: {exc}") from exc
        return VerifiedToken(claims_to_principal(claims), int(claims["iat"]), float(claims["exp"]))
