"""One transaction over the files and datasets repositories and the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
from mlp.registry.adapters.db.datasets_repository import SqlDatasetRepository
from mlp.registry.adapters.db.files_repository import SqlFileRepository
from mlp.registry.application.ports import DatasetRepository, FileRepository, RegistryOutbox


class SqlFilesUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], RegistryOutbox]) -> None:
        super().__init__(engine)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.files: FileRepository = SqlFileRepository(conn)
        self.datasets: DatasetRepository = SqlDatasetRepository(conn)
        self.outbox: RegistryOutbox = self._outbox_factory(conn)
