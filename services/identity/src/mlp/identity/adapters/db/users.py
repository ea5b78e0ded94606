"""Users in ``identity.users``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.identity.adapters.db.tables import users
from mlp.identity.domain.users import FirebaseIdentity, User

_COLUMNS = [users.c[name] for name in User.__dataclass_fields__]


def _user(row: RowMapping) -> User:
    return User(**row)


class SqlUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, user_id: uuid.UUID) -> User | None:
        query = select(*_COLUMNS).where(users.c.id == user_id, users.c.deleted_at.is_(None))
        row = (await self._conn.execute(query)).mappings().first()
        return _user(row) if row else None

    async def by_firebase_uid(self, firebase_uid: str) -> User | None:
        row = (
            (await self._conn.execute(select(*_COLUMNS).where(users.c.firebase_uid == firebase_uid))).mappings().first()
        )
        return _user(row) if row else None

    async def upsert_from_firebase(self, identity: FirebaseIdentity, now: datetime) -> User:
        profile = {
            "email": identity.email,
            "email_verified": identity.email_verified,
            "display_name": identity.display_name,
            "photo_url": identity.photo_url,
            "last_sign_in_at": now,
            "updated_at": now,
        }
        inserting = insert(users).values(firebase_uid=identity.uid, created_at=now, **profile)
        statement = inserting.on_conflict_do_update(
            index_elements=[users.c.firebase_uid],
            # email is Firebase's; a name or photo the user set here wins over Firebase's
            set_={
                **profile,
                "display_name": func.coalesce(users.c.display_name, inserting.excluded.display_name),
                "photo_url": func.coalesce(users.c.photo_url, inserting.excluded.photo_url),
            },
        ).returning(*_COLUMNS)
        return _user((await self._conn.execute(statement)).mappings().one())

    async def update_profile(self, user_id: uuid.UUID, changes: dict[str, Any], now: datetime) -> User | None:
        statement = (
            update(users)
            .where(users.c.id == user_id, users.c.deleted_at.is_(None))
            .values(**changes, updated_at=now)
            .returning(*_COLUMNS)
        )
        row = (await self._conn.execute(statement)).mappings().first()
        return _user(row) if row else None

    async def soft_delete(self, user_id: uuid.UUID, now: datetime) -> User | None:
        return await self.update_profile(user_id, {"deleted_at": now, "tokens_valid_after": now}, now)

    async def revoke_tokens(self, user_id: uuid.UUID, now: datetime) -> None:
        await self.update_profile(user_id, {"tokens_valid_after": now}, now)
