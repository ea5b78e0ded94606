"""Is what a credential was derived from still good? Its session, its API key, its user.

Every accepted credential passes here: a platform token (session ``sid``, key ``akid``, or
neither), an API key, a Firebase ID token. The user must exist and not be deleted, and a token
issued before the user's revocation epoch (revoke-all, account deletion) is refused.
"""

from __future__ import annotations

import math
import uuid

from mlp.common.auth.errors import CredentialRevoked
from mlp.common.auth.platform_token import VerifiedToken
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache, UserStanding
from mlp.identity.application.ports import UnitOfWorkFactory


class GrantChecks:
    def __init__(self, uow: UnitOfWorkFactory, cache: CredentialCache, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._cache = cache
        self._clock = clock

    async def check_token(self, token: VerifiedToken) -> int:
        """The user's revocation epoch, or ``CredentialRevoked``."""
        principal = token.principal
        if principal.session_id is not None:
            await self._check_session(principal.user_id, principal.session_id)
        if principal.api_key_id is not None:
            await self._check_key(principal.user_id, principal.api_key_id)
        return await self.check_user(principal.user_id, token.issued_at)

    async def check_user(self, user_id: uuid.UUID, issued_at: int | None = None) -> int:
        """Refuses a deleted user, and a credential issued before their epoch."""
        standing = await self.standing(user_id)
        if not standing.active:
            raise CredentialRevoked("this account was deleted")
        if issued_at is not None and issued_at < standing.tokens_valid_after:
            raise CredentialRevoked("this credential was issued before the user signed out everywhere")
        return standing.tokens_valid_after

    async def standing(self, user_id: uuid.UUID) -> UserStanding:
        cached = self._cache.users.get(user_id)
        if cached is not None:
            return cached
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            standing = UserStanding(active=False)
        else:
            epoch = user.tokens_valid_after
            standing = UserStanding(True, math.ceil(epoch.timestamp()) if epoch is not None else 0)
        self._cache.users.put(user_id, standing)
        return standing

    async def _check_session(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        if self._cache.sessions.get(session_id) == user_id:
            return
        async with self._uow() as uow:
            session = await uow.sessions.get(user_id, session_id)
        if session is None or not session.is_active(self._clock()):
            raise CredentialRevoked("this session was revoked or has expired")
        self._cache.sessions.put(session_id, user_id)

    async def _check_key(self, user_id: uuid.UUID, key_id: uuid.UUID) -> None:
        if self._cache.key_usable.get(key_id) == user_id:
            return
        async with self._uow() as uow:
            key = await uow.api_keys.get(user_id, key_id)
        if key is None or not key.usable(self._clock()):
            raise CredentialRevoked("the API key of this token was revoked or has expired")
        self._cache.key_usable.put(key_id, user_id)
