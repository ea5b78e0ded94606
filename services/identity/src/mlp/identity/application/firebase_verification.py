"""A Firebase ID token presented directly to the platform (through the gateway or a service).

The user is provisioned as on sign-in, but no session is created: the principal lives as long
as the ID token. Answers are cached for ``cache_seconds`` per token, since checking revocation
asks Firebase each time.
"""

from __future__ import annotations

import hashlib

from mlp.common.auth.errors import AccountDisabled
from mlp.common.auth.principal import Principal
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.ports import FirebaseAuth, UnitOfWorkFactory
from mlp.identity.application.sign_in import USER_SCOPES
from mlp.identity.application.ttl_cache import TtlCache
from mlp.identity.application.verified import Verified


class FirebaseTokenVerifier:
    def __init__(
        self, uow: UnitOfWorkFactory, firebase: FirebaseAuth, *, cache_seconds: float = 30.0, clock: Clock = utc_now
    ) -> None:
        self._uow = uow
        self._firebase = firebase
        self._clock = clock
        self._cache: TtlCache[bytes, Principal] = TtlCache(cache_seconds)

    def accepts(self, token: str) -> bool:
        """A JWT; platform tokens never get here (CallerVerification checks them first)."""
        return token.count(".") == 2

    async def verify(self, token: str) -> Verified:
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._cache.get(digest)
        if cached is not None:
            return Verified(cached)
        identity = await self._firebase.verify_id_token(token)
        async with self._uow() as uow:
            user = await uow.users.upsert_from_firebase(identity, self._clock())
            if user.deleted_at is not None:
                raise AccountDisabled("this account was deleted")
            await uow.commit()
        principal = Principal(user_id=user.id, scopes=USER_SCOPES)
        self._cache.put(digest, principal)
        return Verified(principal)
