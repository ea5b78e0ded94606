"""Sign-in: a Firebase ID token becomes a platform session.

The user is provisioned on first sign-in and its profile refreshed after; a session records
the device and carries a refresh token (stored as a digest, rotated on every use, see
``session_refresh.py``) with which the client gets new short-lived platform tokens.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt

from mlp.common.auth.errors import AccountDisabled, AuthError, CredentialRevoked
from mlp.common.auth.principal import Principal
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.application.ports import FirebaseAuth, UnitOfWorkFactory
from mlp.identity.application.request_context import audit_event
from mlp.identity.domain.refresh_tokens import new_refresh_token, refresh_digest
from mlp.identity.domain.sessions import UserSession
from mlp.identity.domain.users import User

USER_SCOPES = ("*",)
"""A signed-in user may do anything to their own resources; API keys carry narrower scopes."""


@dataclass(frozen=True)
class Device:
    user_agent: str | None
    ip_address: str | None


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: UserSession
    refresh_token: str
    token: IssuedToken


def issued_before_epoch(issued_at: int | None, user: User) -> bool:
    """A Firebase ID token older than the user's revocation epoch (revoke-all)."""
    epoch = user.tokens_valid_after
    return epoch is not None and (issued_at or 0) < math.ceil(epoch.timestamp())


def session_principal(session: UserSession) -> Principal:
    return Principal(user_id=session.user_id, scopes=USER_SCOPES, session_id=session.id)


class SignIn:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        firebase: FirebaseAuth,
        tokens: PlatformTokens,
        *,
        session_lifetime: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._firebase = firebase
        self._tokens = tokens
        self._session_lifetime = session_lifetime
        self._clock = clock

    async def sign_in(self, id_token: str, device: Device) -> SignedIn:
        try:
            identity = await self._firebase.verify_id_token(id_token)
        except (CredentialRevoked, AccountDisabled) as refused:
            await self._record_refusal(id_token, refused)
            raise
        now = self._clock()
        async with self._uow() as uow:
            user = await uow.users.upsert_from_firebase(identity, now)
            if user.deleted_at is not None:
                raise AccountDisabled("this account was deleted")
            if issued_before_epoch(identity.issued_at, user):
                raise CredentialRevoked("this ID token was issued before you signed out everywhere: sign in again")
            session = UserSession(
                id=uuid.uuid4(),
                user_id=user.id,
                user_agent=(device.user_agent or "")[:512] or None,
                ip_address=device.ip_address,
                created_at=now,
                last_seen_at=now,
                expires_at=now + self._session_lifetime,
                firebase_checked_at=now,
            )
            refresh_token = new_refresh_token(session.id)
            await uow.sessions.add(session, refresh_digest(refresh_token))
            await uow.audit.record([audit_event(user.id, "auth.sign_in", "session", session.id, now)])
            await uow.commit()
        return SignedIn(user, session, refresh_token, await self._tokens.issue(session_principal(session)))

    async def _record_refusal(self, id_token: str, refused: AuthError) -> None:
        """Attribute a refused sign-in to its user: the token's signature was valid, only the
        account (revoked or disabled) was refused, so its subject can be trusted."""
        try:
            uid = jwt.decode(id_token, options={"verify_signature": False}).get("sub")
        except jwt.PyJWTError:
            return
        now = self._clock()
        async with self._uow() as uow:
            user = await uow.users.by_firebase_uid(str(uid))
            if user is None:
                return
            event = audit_event(user.id, "auth.sign_in", "session", None, now, outcome="failure", reason=refused.code)
            await uow.audit.record([event])
            await uow.commit()
