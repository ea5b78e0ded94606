"""API keys in ``identity.api_keys``: digests and prefixes only, never a secret."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.identity.adapters.db.tables import api_keys
from mlp.identity.domain.api_keys import ApiKey, StoredSecret

_COLUMNS = [api_keys.c[name] for name in ApiKey.__dataclass_fields__]
_LIVE = api_keys.c.deleted_at.is_(None)


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(**{**row, "scopes": tuple(row["scopes"])})


class SqlApiKeyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, key: ApiKey, digest: bytes) -> None:
        values = {name: getattr(key, name) for name in ApiKey.__dataclass_fields__}
        await self._conn.execute(insert(api_keys).values(**{**values, "scopes": list(key.scopes)}, secret_hash=digest))

    async def get(self, user_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        query = select(*_COLUMNS).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id, _LIVE)
        row = (await self._conn.execute(query)).mappings().first()
        return _key(row) if row else None

    async def list_for_user(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[ApiKey]:
        query = select(*_COLUMNS).where(api_keys.c.user_id == user_id, _LIVE).order_by(api_keys.c.id).limit(limit)
        if after is not None:
            query = query.where(api_keys.c.id > after)
        return [_key(row) for row in (await self._conn.execute(query)).mappings()]

    async def by_prefix(self, prefix: str) -> tuple[ApiKey, StoredSecret] | None:
        query = select(
            *_COLUMNS, api_keys.c.secret_hash, api_keys.c.previous_secret_hash, api_keys.c.previous_secret_expires_at
        ).where(api_keys.c.prefix == prefix, _LIVE)
        row = (await self._conn.execute(query)).mappings().first()
        if row is None:
            return None
        secret = StoredSecret(row["secret_hash"], row["previous_secret_hash"], row["previous_secret_expires_at"])
        return _key({k: row[k] for k in ApiKey.__dataclass_fields__}), secret  # type: ignore[arg-type]

    async def rename(self, user_id: uuid.UUID, key_id: uuid.UUID, name: str, now: datetime) -> ApiKey | None:
        return await self._update(user_id, key_id, {"name": name, "updated_at": now})

    async def rotate(
        self, user_id: uuid.UUID, key_id: uuid.UUID, digest: bytes, previous_until: datetime, now: datetime
    ) -> ApiKey | None:
        changes = {
            "previous_secret_hash": api_keys.c.secret_hash,
            "previous_secret_expires_at": previous_until,
            "secret_hash": digest,
            "rotated_at": now,
            "updated_at": now,
        }
        return await self._update(user_id, key_id, changes, active_only=True)

    async def revoke(self, user_id: uuid.UUID, now: datetime, *, only: uuid.UUID | None = None) -> list[ApiKey]:
        statement = update(api_keys).where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None), _LIVE)
        if only is not None:
            statement = statement.where(api_keys.c.id == only)
        statement = statement.values(revoked_at=now, updated_at=now).returning(*_COLUMNS)
        return [_key(row) for row in (await self._conn.execute(statement)).mappings()]

    async def mark_used(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now))

    async def _update(
        self, user_id: uuid.UUID, key_id: uuid.UUID, changes: dict[str, Any], *, active_only: bool = False
    ) -> ApiKey | None:
        statement = update(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id, _LIVE)
        if active_only:
            statement = statement.where(api_keys.c.revoked_at.is_(None))
        row = (await self._conn.execute(statement.values(**changes).returning(*_COLUMNS))).mappings().first()
        return _key(row) if row else None
