"""Ports of the files and datasets use cases: blob storage, their repositories, the outbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.registry.domain.datasets import Dataset, DatasetVersion
from mlp.registry.domain.files import StoredFile


class Clock(Protocol):
    def now(self) -> datetime: ...


class BlobWriter(Protocol):
    """Bytes being written under one key; nothing is visible under the key before ``commit``."""

    async def write(self, chunk: bytes) -> None: ...

    async def commit(self) -> None: ...

    async def abort(self) -> None:
        """Drop what was written (safe to call after a failed write, and more than once)."""
        ...


class BlobStorage(Protocol):
    """Where file bytes live: the local filesystem or an S3-compatible bucket."""

    async def writer(self, key: str) -> BlobWriter: ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` of the blob (``end`` None: to its end); ``KeyError`` if absent."""
        ...

    async def size(self, key: str) -> int | None:
        """The blob's size, or None when there is no blob under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting an absent key is not an error."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with ``prefix``; how many were deleted."""
        ...


class RegistryOutbox(Protocol):
    """Events and jobs written in the caller's transaction, delivered after it commits."""

    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...

    async def usage(self, events: Sequence[UsageEventIn]) -> None: ...

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str] | None = None
    ) -> None: ...


class FileRepository(Protocol):
    async def add(self, file: StoredFile) -> None: ...

    async def get(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None: ...

    async def list_page(
        self, user_id: uuid.UUID, purpose: str | None, after: uuid.UUID | None, limit: int, newest_first: bool
    ) -> list[StoredFile]:
        """A page ordered by (created_at, id); ``after`` is the id the previous page ended with."""
        ...

    async def delete(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None: ...

    async def used_bytes(self, user_id: uuid.UUID, *, lock: bool) -> int:
        """Bytes the user stores; with ``lock`` the user's uploads are serialised until commit."""
        ...

    async def delete_all(self, user_id: uuid.UUID) -> list[str]:
        """Delete every file of the user; the storage keys they had."""
        ...


class DatasetRepository(Protocol):
    async def add(self, user_id: uuid.UUID, name: str, description: str | None) -> Dataset | None:
        """None when the user already has a dataset of that name."""
        ...

    async def get(self, user_id: uuid.UUID, dataset_id: uuid.UUID, *, lock: bool = False) -> Dataset | None: ...

    async def list_page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> list[Dataset]: ...

    async def delete(self, user_id: uuid.UUID, dataset_id: uuid.UUID, now: datetime) -> Dataset | None: ...

    async def delete_all(self, user_id: uuid.UUID) -> None: ...

    async def add_version(self, version: DatasetVersion) -> None: ...

    async def update_version(self, version: DatasetVersion) -> None: ...

    async def next_version_number(self, dataset_id: uuid.UUID) -> int: ...

    async def version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion | None:
        """Version ``number``, or the latest ready one when ``number`` is None."""
        ...

    async def version_by_id(self, version_id: uuid.UUID) -> DatasetVersion | None: ...

    async def versions(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> list[DatasetVersion]: ...

    async def append_rows(self, version_id: uuid.UUID, first_row_number: int, rows: list[list[str]]) -> None: ...

    async def rows(self, version_id: uuid.UUID, after_row: int, limit: int) -> list[tuple[int, list[str | None]]]: ...


class FilesUnitOfWork(Protocol):
    files: FileRepository
    datasets: DatasetRepository
    outbox: RegistryOutbox

    async def __aenter__(self) -> FilesUnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...
