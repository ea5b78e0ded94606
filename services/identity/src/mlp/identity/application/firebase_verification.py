"""A Firebase ID token presented directly to the platform (through the gateway or a service).

The user is provisioned as on sign-in, but no session is created: the principal lives as long
as the ID token. Firebase's answer is kept briefly in the :class:`CredentialCache` (checking
revocation asks Firebase each time); the user's standing is checked on every call, so a token
issued before revoke-all or account deletion is refused at once on this replica.
"""

from __future__ import annotations

import hashlib

from mlp.common.auth.errors import CredentialRevoked
from mlp.common.auth.principal import Principal
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache, FirebaseAnswer
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.ports import FirebaseAuth, UnitOfWorkFactory
from mlp.identity.application.sign_in import USER_SCOPES
from mlp.identity.application.verified import Verified


class FirebaseTokenVerifier:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        firebase: FirebaseAuth,
        cache: CredentialCache,
        grants: GrantChecks,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._firebase = firebase
        self._cache = cache.firebase
        self._grants = grants
        self._clock = clock

    def accepts(self, token: str) -> bool:
        """A JWT; platform tokens never get here (CallerVerification checks them first)."""
        return token.count(".") == 2

    async def verify(self, token: str) -> Verified:
        digest = hashlib.sha256(token.encode()).digest()
        answer = self._cache.get(digest)
        if answer is None:
            answer = await self._ask_firebase(token)
            self._cache.put(digest, answer)
        valid_after = await self._grants.check_user(answer.user_id, answer.issued_at)
        return Verified(Principal(user_id=answer.user_id, scopes=USER_SCOPES), tokens_valid_after=valid_after)

    async def _ask_firebase(self, token: str) -> FirebaseAnswer:
        identity = await self._firebase.verify_id_token(token)
        async with self._uow() as uow:
            user = await uow.users.upsert_from_firebase(identity, self._clock())
            if user.deleted_at is not None:
                raise CredentialRevoked("this account was deleted")
            await uow.commit()
        return FirebaseAnswer(user.id, identity.issued_at or 0)
