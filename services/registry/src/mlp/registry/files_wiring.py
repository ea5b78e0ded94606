"""Wiring of the files and datasets part: storage adapter, use cases, settings to limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.registry.adapters.db.files_unit_of_work import SqlFilesUnitOfWork
from mlp.registry.adapters.storage.local import LocalBlobStorage
from mlp.registry.application.clock import SystemClock
from mlp.registry.application.csv_reader import CsvLimits
from mlp.registry.application.dataset_reads import DatasetReads
from mlp.registry.application.datasets import DatasetLimits, Datasets
from mlp.registry.application.files import FileLimits, Files
from mlp.registry.application.ports import BlobStorage, Clock, FilesUnitOfWork, RegistryOutbox
from mlp.registry.settings import RegistrySettings

OutboxFactory = Callable[[AsyncConnection], RegistryOutbox]
FILES_USE_CASES = ("files", "datasets", "dataset_reads")


def csv_limits(settings: RegistrySettings) -> CsvLimits:
    return CsvLimits(
        max_columns=settings.csv_max_columns,
        max_field_chars=settings.csv_max_field_chars,
        max_rows=settings.csv_max_rows,
        max_problems=settings.csv_max_problems,
        max_compression_ratio=settings.csv_max_compression_ratio,
        max_inflated_bytes=settings.csv_max_inflated_bytes,
    )


@asynccontextmanager
async def blob_storage(settings: RegistrySettings) -> AsyncIterator[BlobStorage]:
    if settings.storage_backend == "s3":
        from mlp.registry.adapters.storage.s3 import s3_blob_storage

        async with s3_blob_storage(settings) as storage:
            yield storage
    elif settings.storage_backend == "local":
        yield LocalBlobStorage(settings.data_dir)
    else:
        raise ValueError(f"unknown storage backend {settings.storage_backend!r} (local or s3)")


class FilesPart:
    """The use cases of the files and datasets part, built over one engine and one storage."""

    def __init__(
        self,
        engine: AsyncEngine,
        storage: BlobStorage,
        settings: RegistrySettings,
        outbox: OutboxFactory,
        clock: Clock | None = None,
    ) -> None:
        def uow() -> FilesUnitOfWork:
            return SqlFilesUnitOfWork(engine, outbox)

        clock = clock or SystemClock()
        self.storage = storage
        self.files = Files(uow, storage, clock, FileLimits(settings.max_upload_bytes, settings.storage_quota_bytes))
        self.datasets = Datasets(
            uow, storage, clock, DatasetLimits(csv_limits(settings), settings.csv_inline_max_bytes)
        )
        self.dataset_reads = DatasetReads(uow, clock)
