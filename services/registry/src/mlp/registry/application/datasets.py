"""Datasets from CSV files: create, new versions, background ingestion of large files, delete."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.registry.application.csv_ingest import CsvRejected, Progress, ingest_csv
from mlp.registry.application.csv_reader import CsvLimits, DialectHint
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.ports import BlobStorage, Clock, FilesUnitOfWork
from mlp.registry.domain.content_types import COMPRESSED
from mlp.registry.domain.datasets import Dataset, DatasetVersion, Dialect, Problem
from mlp.registry.domain.errors import DomainError, InvalidInput, NotFound
from mlp.registry.domain.files import StoredFile

INGEST_JOB = "registry.ingest_dataset_version"
_BINARY_TYPES = ("application/octet-stream", "application/zip", "application/pdf", "image/")


@dataclass(frozen=True, slots=True)
class DatasetLimits:
    csv: CsvLimits
    inline_max_bytes: int
    """Uncompressed files up to this size are ingested in the request; larger or compressed ones by the worker."""
    max_versions: int = 100
    """Versions one dataset may have (each holds a copy of its rows)."""


class Conflict(DomainError):
    """409."""


class Datasets:
    def __init__(
        self, uow: Callable[[], FilesUnitOfWork], storage: BlobStorage, clock: Clock, limits: DatasetLimits
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._clock = clock
        self._limits = limits

    async def create(
        self, user_id: uuid.UUID, name: str, description: str | None, file_id: uuid.UUID, hint: DialectHint
    ) -> tuple[Dataset, DatasetVersion]:
        async with self._uow() as uow:
            source = await self._source(uow, user_id, file_id)
            dataset = await uow.datasets.add(user_id, name, description)
            if dataset is None:
                raise Conflict("dataset-name-taken", f"you already have a dataset named {name!r}", field="name")
            version = await self._new_version(uow, dataset, 1, source, hint)
            await uow.outbox.audit(
                [registry_event(user_id, "dataset.create", "dataset", dataset.id, version.created_at)]
            )
            await uow.commit()
        if version.status == "ready":
            dataset = dataclasses.replace(dataset, latest_version=version.version)
        return dataset, version

    async def add_version(
        self, user_id: uuid.UUID, dataset_id: uuid.UUID, file_id: uuid.UUID, hint: DialectHint
    ) -> DatasetVersion:
        async with self._uow() as uow:
            dataset = await uow.datasets.get(user_id, dataset_id, lock=True)
            if dataset is None:
                raise NotFound("dataset-not-found", f"no dataset {dataset_id}", field="dataset_id")
            source = await self._source(uow, user_id, file_id)
            number = await uow.datasets.next_version_number(dataset_id)
            if number > self._limits.max_versions:
                raise Conflict(
                    "too-many-versions",
                    f"a dataset has at most {self._limits.max_versions} versions: make a new dataset",
                    field="dataset_id",
                )
            version = await self._new_version(uow, dataset, number, source, hint)
            await uow.outbox.audit(
                [
                    registry_event(
                        user_id, "dataset.version.create", "dataset", dataset_id, version.created_at, version=number
                    )
                ]
            )
            await uow.commit()
        return version

    async def _source(self, uow: FilesUnitOfWork, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile:
        source = await uow.files.get(user_id, file_id)
        if source is None:
            raise NotFound("file-not-found", f"no file {file_id}", field="file_id")
        if source.content_type.startswith(_BINARY_TYPES):
            raise InvalidInput("not-csv", f"the file is {source.content_type}, not CSV text", field="file_id")
        return source

    async def _new_version(
        self, uow: FilesUnitOfWork, dataset: Dataset, number: int, source: StoredFile, hint: DialectHint
    ) -> DatasetVersion:
        """Inline for a small uncompressed file (rows in this transaction), else queued for the worker:
        a small gzip file may inflate ~100 times (up to ``csv_max_inflated_bytes``)."""
        version = DatasetVersion(
            id=uuid.uuid4(),
            dataset_id=dataset.id,
            user_id=dataset.user_id,
            version=number,
            source_file_id=source.id,
            status="processing",
            row_count=0,
            columns=(),
            dialect=Dialect(hint.delimiter or ",", hint.quotechar or '"', hint.encoding or ""),
            created_at=self._clock(),
        )
        await uow.datasets.add_version(version)
        if source.size_bytes > self._limits.inline_max_bytes or source.content_type in COMPRESSED:
            await uow.outbox.enqueue(INGEST_JOB, [str(version.id).encode()], [str(version.id)])
            return version
        version = await ingest_csv(version, source.storage_key, hint, self._storage, uow.datasets, self._limits.csv)
        version = dataclasses.replace(version, finished_at=self._clock())
        await uow.datasets.update_version(version)
        return version

    async def ingest(self, version_id: uuid.UUID) -> None:
        """The worker's job: read the source file into rows in one transaction, progress in others."""
        async with self._uow() as uow:
            version = await uow.datasets.version_by_id(version_id)
            source_id = version.source_file_id if version else None
            source = await uow.files.get(version.user_id, source_id) if version and source_id else None
        if version is None or version.status != "processing":
            return  # done already (a redelivery) or the dataset is gone
        if source is None:
            await self._fail(version, [], "the source file was deleted before it was read")
            return
        hint = DialectHint(*(v or None for v in dataclasses.astuple(version.dialect)))
        try:
            async with self._uow() as uow:
                done = await ingest_csv(
                    version,
                    source.storage_key,
                    hint,
                    self._storage,
                    uow.datasets,
                    self._limits.csv,
                    self._progress(version),
                )
                await uow.datasets.update_version(dataclasses.replace(done, finished_at=self._clock()))
                await uow.commit()
        except CsvRejected as rejected:
            await self._fail(version, rejected.problems, rejected.detail)

    def _progress(self, version: DatasetVersion) -> Progress:
        async def report(rows: int) -> None:
            async with self._uow() as uow:
                await uow.datasets.update_version(dataclasses.replace(version, row_count=rows))
                await uow.commit()

        return report

    async def _fail(self, version: DatasetVersion, problems: list[Problem], error: str) -> None:
        failed = dataclasses.replace(
            version, status="failed", error=error, problems=tuple(problems), finished_at=self._clock()
        )
        async with self._uow() as uow:
            await uow.datasets.update_version(failed)
            await uow.commit()
