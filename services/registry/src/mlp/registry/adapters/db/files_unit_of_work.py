"""One transaction over the files and datasets repositories and the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.registry.adapters.db.datasets_repository import SqlDatasetRepository
from mlp.registry.adapters.db.files_repository import SqlFileRepository
from mlp.registry.application.ports import DatasetRepository, FileRepository, RegistryOutbox


class SqlFilesUnitOfWork:
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], RegistryOutbox]) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlFilesUnitOfWork:
        self._conn = conn = await self._engine.connect()
        await conn.begin()
        self.files: FileRepository = SqlFileRepository(conn)
        self.datasets: DatasetRepository = SqlDatasetRepository(conn)
        self.outbox: RegistryOutbox = self._outbox_factory(conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
