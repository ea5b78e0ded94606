"""Wiring of the files and datasets part: storage adapter, use cases, settings to limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.database import create_engine
from mlp.common.runtime.worker import Entrypoint
from mlp.registry.adapters.db.files_unit_of_work import SqlFilesUnitOfWork
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.storage.local import LocalBlobStorage
from mlp.registry.application.clock import SystemClock
from mlp.registry.application.csv_reader import CsvLimits
from mlp.registry.application.dataset_reads import DROP_ROWS_JOB, DatasetReads
from mlp.registry.application.datasets import INGEST_JOB, DatasetLimits, Datasets
from mlp.registry.application.files import SWEEP_BLOB_JOB, SWEEP_USER_BLOBS_JOB, FileLimits, Files
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
            uow,
            storage,
            clock,
            DatasetLimits(csv_limits(settings), settings.csv_inline_max_bytes, settings.dataset_max_versions),
        )
        self.dataset_reads = DatasetReads(uow, clock)

    def job_handlers(self, ingest_concurrency: int) -> dict[str, Entrypoint]:
        """The worker's jobs of this part: ingesting large CSV files, removing what was deleted."""

        async def sweep(payload: bytes) -> None:
            await self.files.sweep(payload.decode())

        async def sweep_user(payload: bytes) -> None:
            await self.files.sweep_prefix(payload.decode())

        async def ingest(payload: bytes) -> None:
            await self.datasets.ingest(uuid.UUID(payload.decode()))

        async def drop_rows(payload: bytes) -> None:
            await self.dataset_reads.drop_rows(payload)

        return {
            SWEEP_BLOB_JOB: Entrypoint(sweep),
            SWEEP_USER_BLOBS_JOB: Entrypoint(sweep_user),
            INGEST_JOB: Entrypoint(ingest, concurrency_limit=ingest_concurrency),
            DROP_ROWS_JOB: Entrypoint(drop_rows),
        }


@asynccontextmanager
async def files_part(settings: RegistrySettings, outbox: OutboxFactory = registry_outbox) -> AsyncIterator[FilesPart]:
    """The part with its own engine and storage (the worker's; the API builds it over the app's engine)."""
    engine = create_engine(settings.database_url, settings.db_pool_size)
    try:
        async with blob_storage(settings) as storage:
            yield FilesPart(engine, storage, settings, outbox)
    finally:
        await engine.dispose()
