"""Device sessions in ``identity.user_sessions``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.identity.adapters.db.tables import user_sessions
from mlp.identity.domain.sessions import UserSession

_COLUMNS = [user_sessions.c[name] for name in UserSession.__dataclass_fields__]


def _session(row: RowMapping) -> UserSession:
    return UserSession(**row)


class SqlSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, session: UserSession, refresh_digest: bytes) -> None:
        values = {name: getattr(session, name) for name in UserSession.__dataclass_fields__}
        await self._conn.execute(insert(user_sessions).values(**values, refresh_token_hash=refresh_digest))

    async def get(self, user_id: uuid.UUID, session_id: uuid.UUID) -> UserSession | None:
        query = select(*_COLUMNS).where(user_sessions.c.id == session_id, user_sessions.c.user_id == user_id)
        row = (await self._conn.execute(query)).mappings().first()
        return _session(row) if row else None

    async def list_active(self, user_id: uuid.UUID, now: datetime) -> list[UserSession]:
        query = (
            select(*_COLUMNS)
            .where(
                user_sessions.c.user_id == user_id,
                user_sessions.c.revoked_at.is_(None),
                user_sessions.c.expires_at > now,
            )
            .order_by(user_sessions.c.last_seen_at.desc())
        )
        return [_session(row) for row in (await self._conn.execute(query)).mappings()]

    async def for_refresh(self, session_id: uuid.UUID) -> tuple[UserSession, bytes | None] | None:
        query = (
            select(*_COLUMNS, user_sessions.c.refresh_token_hash)
            .where(user_sessions.c.id == session_id)
            .with_for_update()
        )
        row = (await self._conn.execute(query)).mappings().first()
        if row is None:
            return None
        return _session({k: row[k] for k in UserSession.__dataclass_fields__}), row["refresh_token_hash"]  # type: ignore[arg-type]

    async def touch(
        self, session_id: uuid.UUID, now: datetime, refresh_digest: bytes, firebase_checked_at: datetime
    ) -> None:
        await self._conn.execute(
            update(user_sessions)
            .where(user_sessions.c.id == session_id)
            .values(
                last_seen_at=now,
                updated_at=now,
                refresh_token_hash=refresh_digest,
                firebase_checked_at=firebase_checked_at,
            )
        )

    async def revoke(
        self,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        statement = update(user_sessions).where(
            user_sessions.c.user_id == user_id,
            user_sessions.c.revoked_at.is_(None),
        )
        if only is not None:
            statement = statement.where(user_sessions.c.id == only)
        if keep is not None:
            statement = statement.where(user_sessions.c.id != keep)
        statement = statement.values(revoked_at=now, revoked_reason=reason, updated_at=now, refresh_token_hash=None)
        return list((await self._conn.execute(statement.returning(user_sessions.c.id))).scalars())
