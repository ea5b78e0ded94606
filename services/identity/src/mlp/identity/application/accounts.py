"""My account: read and edit the profile, and delete it.

Deleting soft-deletes the user, revokes every session and key, and announces ``user.deleted``
through the outbox in the same transaction: the other services purge the user's data when the
relay delivers it (at least once; they deduplicate on the event id).
"""

from __future__ import annotations

import uuid
from typing import Any

from mlp.common.contracts.events import UserDeleted
from mlp.identity.application.clock import Clock, utc_now
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.ports import FirebaseAuth, UnitOfWorkFactory
from mlp.identity.application.request_context import audit_event
from mlp.identity.domain.errors import NotFound
from mlp.identity.domain.users import User

PROFILE_FIELDS = ("display_name", "photo_url")


class Accounts:
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

    async def profile(self, user_id: uuid.UUID) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise NotFound("no such user")
        return user

    async def update_profile(self, user_id: uuid.UUID, changes: dict[str, Any]) -> User:
        changes = {k: v for k, v in changes.items() if k in PROFILE_FIELDS}
        now = self._clock()
        async with self._uow() as uow:
            user = await uow.users.update_profile(user_id, changes, now) if changes else await uow.users.get(user_id)
            if user is None:
                raise NotFound("no such user")
            event = audit_event(user_id, "user.update", "user", user_id, now, fields=sorted(changes))
            await uow.audit.record([event])
            await uow.commit()
        return user

    async def delete(self, user_id: uuid.UUID) -> UserDeleted:
        now = self._clock()
        async with self._uow() as uow:
            user = await uow.users.soft_delete(user_id, now)
            if user is None:
                raise NotFound("no such user")
            await uow.sessions.revoke(user_id, now, "account deleted")
            await uow.api_keys.revoke(user_id, now)
            announced = UserDeleted(event_id=uuid.uuid4(), user_id=user_id, deleted_at=now)
            await uow.outbox.announce_user_deleted(announced)
            await uow.audit.record([audit_event(user_id, "user.delete", "user", user_id, now)])
            await uow.commit()
        self._cache.invalidate_user(user_id)
        await self._firebase.revoke_refresh_tokens(user.firebase_uid)
        return announced
