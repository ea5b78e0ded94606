"""Files in PostgreSQL (``registry.files``); every query is scoped by ``user_id``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.tables_files import files
from mlp.registry.domain.files import StoredFile

_COLUMNS = (
    files.c.id,
    files.c.user_id,
    files.c.filename,
    files.c.purpose,
    files.c.content_type,
    files.c.size_bytes,
    files.c.sha256,
    files.c.storage_key,
    files.c.created_at,
)


def _to_file(row: Any) -> StoredFile:
    return StoredFile(**row._mapping)


class SqlFileRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, file: StoredFile) -> None:
        await self._conn.execute(
            insert(files).values(
                id=file.id,
                user_id=file.user_id,
                filename=file.filename,
                purpose=file.purpose,
                content_type=file.content_type,
                size_bytes=file.size_bytes,
                sha256=file.sha256,
                storage_key=file.storage_key,
                status="ready",
                created_at=file.created_at,
                updated_at=file.created_at,
            )
        )

    async def get(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        row = (
            await self._conn.execute(select(*_COLUMNS).where(files.c.user_id == user_id, files.c.id == file_id))
        ).first()
        return _to_file(row) if row else None

    async def list_page(
        self, user_id: uuid.UUID, purpose: str | None, after: uuid.UUID | None, limit: int, newest_first: bool
    ) -> list[StoredFile]:
        query = select(*_COLUMNS).where(files.c.user_id == user_id)
        if purpose is not None:
            query = query.where(files.c.purpose == purpose)
        key = tuple_(files.c.created_at, files.c.id)
        if after is not None:
            bound = tuple_(
                select(files.c.created_at).where(files.c.id == after, files.c.user_id == user_id).scalar_subquery(),
                after,
            )
            query = query.where(key < bound if newest_first else key > bound)
        order = (files.c.created_at.desc(), files.c.id.desc()) if newest_first else (files.c.created_at, files.c.id)
        rows = await self._conn.execute(query.order_by(*order).limit(limit))
        return [_to_file(row) for row in rows]

    async def delete(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        row = (
            await self._conn.execute(
                delete(files).where(files.c.user_id == user_id, files.c.id == file_id).returning(*_COLUMNS)
            )
        ).first()
        return _to_file(row) if row else None

    async def used_bytes(self, user_id: uuid.UUID, *, lock: bool) -> int:
        if lock:
            await self._conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended('registry.files:' || :user_id, 0))"),
                {"user_id": str(user_id)},
            )
        total = await self._conn.scalar(
            select(func.coalesce(func.sum(files.c.size_bytes), 0)).where(files.c.user_id == user_id)
        )
        return int(total or 0)

    async def delete_all(self, user_id: uuid.UUID) -> list[str]:
        rows = await self._conn.execute(delete(files).where(files.c.user_id == user_id).returning(files.c.storage_key))
        return [row.storage_key for row in rows]
