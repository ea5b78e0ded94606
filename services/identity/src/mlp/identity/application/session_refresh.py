"""Refreshing a session: a new platform token and a new refresh token for the one presented.

A refresh token that was already rotated out revokes its whole session (theft detection). At
least every ``firebase_recheck`` the user is looked up at Firebase: a user disabled or deleted
there loses the session at the next refresh.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from mlp.common.auth.errors import AccountDisabled, CredentialRevoked, InvalidCredential
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.application.ports import FirebaseAuth, UnitOfWork, UnitOfWorkFactory
from mlp.identity.application.request_context import audit_event
from mlp.identity.application.sign_in import session_principal
from mlp.identity.domain.refresh_tokens import new_refresh_token, refresh_digest, session_of
from mlp.identity.domain.sessions import UserSession

REFUSED = "refresh token is unknown, revoked or expired"


class SessionRefresh:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        firebase: FirebaseAuth,
        tokens: PlatformTokens,
        cache: CredentialCache,
        *,
        firebase_recheck: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._firebase = firebase
        self._tokens = tokens
        self._cache = cache
        self._firebase_recheck = firebase_recheck
        self._clock = clock

    async def refresh(self, refresh_token: str) -> tuple[UserSession, str, IssuedToken]:
        """A new platform token and a new refresh token; the old refresh token stops working."""
        session_id = session_of(refresh_token)
        if session_id is None:
            raise InvalidCredential(REFUSED)
        now = self._clock()
        async with self._uow() as uow:
            found = await uow.sessions.for_refresh(session_id)
            if found is None or not found[0].is_active(now):
                raise InvalidCredential(REFUSED)
            session, current_digest = found
            if current_digest is None or not hmac.compare_digest(current_digest, refresh_digest(refresh_token)):
                await self._revoke(uow, session, now, "refresh token reused")
                raise CredentialRevoked("this refresh token was already used: the session is revoked, sign in again")
            checked_at = await self._firebase_check(uow, session, now)
            rotated = new_refresh_token(session.id)
            await uow.sessions.touch(session.id, now, refresh_digest(rotated), checked_at)
            await uow.commit()
        return session, rotated, await self._tokens.issue(session_principal(session))

    async def _firebase_check(self, uow: UnitOfWork, session: UserSession, now: datetime) -> datetime:
        """When Firebase last vouched for the user (asking again if that is too long ago)."""
        user = await uow.users.get(session.user_id)
        if user is None:
            await self._revoke(uow, session, now, "account deleted")
            raise CredentialRevoked("this account was deleted")
        checked_at = session.firebase_checked_at or session.created_at
        if now - checked_at < self._firebase_recheck:
            return checked_at
        if await self._firebase.user_state(user.firebase_uid) != "active":
            await self._revoke(uow, session, now, "disabled at Firebase")
            raise AccountDisabled("the Firebase account is disabled or deleted")
        return now

    async def _revoke(self, uow: UnitOfWork, session: UserSession, now: datetime, reason: str) -> None:
        await uow.sessions.revoke(session.user_id, now, reason, only=session.id)
        event = audit_event(session.user_id, "session.revoke", "session", session.id, now, outcome="denied")
        await uow.audit.record([event])
        await uow.commit()
        self._cache.invalidate_session(session.id)
