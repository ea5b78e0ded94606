"""My device sessions: list, revoke one, revoke the others, revoke all."""

from __future__ import annotations

import uuid

from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.ports import FirebaseAuth, UnitOfWorkFactory
from mlp.identity.application.request_context import audit_event
from mlp.identity.domain.errors import NotFound
from mlp.identity.domain.sessions import UserSession


class Sessions:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        firebase: FirebaseAuth,
        cache: CredentialCache,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._firebase = firebase
        self._cache = cache
        self._clock = clock

    async def list_active(self, user_id: uuid.UUID) -> list[UserSession]:
        async with self._uow() as uow:
            return await uow.sessions.list_active(user_id, self._clock())

    async def revoke(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        if not await self._revoke(user_id, "revoked by user", only=session_id):
            raise NotFound("no such active session")

    async def revoke_others(self, user_id: uuid.UUID, current: uuid.UUID | None) -> int:
        return len(await self._revoke(user_id, "signed out elsewhere", keep=current))

    async def revoke_all(self, user_id: uuid.UUID) -> int:
        """Every session, every platform token and Firebase ID token issued until now (the user's
        revocation epoch), and every Firebase refresh token of the user (all devices). API keys
        stay: they are managed one by one (their tokens issued before now stop too)."""
        revoked = await self._revoke(user_id, "signed out everywhere", everywhere=True)
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
        if user is not None:
            await self._firebase.revoke_refresh_tokens(user.firebase_uid)
        return len(revoked)

    async def _revoke(
        self,
        user_id: uuid.UUID,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
        everywhere: bool = False,
    ) -> list[uuid.UUID]:
        now = self._clock()
        async with self._uow() as uow:
            revoked = await uow.sessions.revoke(user_id, now, reason, only=only, keep=keep)
            if everywhere:
                await uow.users.revoke_tokens(user_id, now)
            events = [audit_event(user_id, "session.revoke", "session", sid, now, reason=reason) for sid in revoked]
            await uow.audit.record(events)
            await uow.commit()
        self._cache.invalidate_session(*revoked)
        if everywhere:
            self._cache.invalidate_user(user_id)
        return revoked
