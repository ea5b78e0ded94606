"""Issues platform tokens and publishes the keys that verify them.

The key ring is read from the database at most every ``refresh_seconds``, so several identity
replicas agree on the keys; the replica that finds the current key too old rotates it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mlp.common.auth.platform_claims import PLATFORM_AUDIENCE, PLATFORM_ISSUER, principal_to_claims
from mlp.common.auth.principal import Principal
from mlp.identity.application.clock import utc_now
from mlp.identity.application.ports import KeyFactory, SigningKeyRepository, TokenSigner
from mlp.identity.domain.signing_keys import KeyRing, SigningKey


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class PlatformTokens:
    def __init__(
        self,
        keys: SigningKeyRepository,
        key_factory: KeyFactory,
        signer: TokenSigner,
        *,
        token_lifetime: timedelta,
        rotate_after: timedelta,
        refresh_seconds: float = 30.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._keys = keys
        self._key_factory = key_factory
        self._signer = signer
        self.token_lifetime = token_lifetime
        self._rotate_after = rotate_after
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._ring = KeyRing(())
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def issue(self, principal: Principal) -> IssuedToken:
        key = (await self._key_ring()).current
        assert key is not None  # _key_ring always leaves a current key
        now = self._clock()
        claims: dict[str, Any] = {
            **principal_to_claims(principal),
            "iss": PLATFORM_ISSUER,
            "aud": PLATFORM_AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self.token_lifetime).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return IssuedToken(self._signer.sign(claims, key), int(self.token_lifetime.total_seconds()))

    async def published_keys(self) -> list[SigningKey]:
        return (await self._key_ring()).published(self._clock(), self.token_lifetime)

    async def rotate(self) -> SigningKey:
        """Start signing with a new key now (the old one stays published for a token lifetime)."""
        async with self._lock:
            key = self._key_factory.new_key(self._clock())
            await self._keys.add(key)
            self._loaded_at = float("-inf")
        await self._key_ring()
        return key

    async def _key_ring(self) -> KeyRing:
        if time.monotonic() - self._loaded_at < self._refresh_seconds and self._ring.current:
            return self._ring
        async with self._lock:
            if time.monotonic() - self._loaded_at >= self._refresh_seconds or not self._ring.current:
                self._ring = await self._reload()
                self._loaded_at = time.monotonic()
        return self._ring

    async def _reload(self) -> KeyRing:
        now = self._clock()
        ring = KeyRing(tuple(await self._keys.list_recent(now - self.token_lifetime)))
        if ring.needs_new_key(now, self._rotate_after):
            await self._keys.add(self._key_factory.new_key(now))
            ring = KeyRing(tuple(await self._keys.list_recent(now - self.token_lifetime)))
        retiring = ring.to_retire(now, self.token_lifetime)
        if retiring:
            await self._keys.retire([k.kid for k in retiring], now)
            ring = KeyRing(tuple(await self._keys.list_recent(now - self.token_lifetime)))
        return ring
