"""In-memory fakes of registry's ports (one place for the whole service's tests)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.registry.domain.files import StoredFile


class RecordingOutbox:
    """The outbox port, recording what transactions wrote (one recorder shared by every transaction).

    Tests read ``audits``, ``usages`` and ``jobs``; the fake does not know about transactions, so
    it records at call time (use cases only call it inside a transaction that then commits, and
    the tests of "nothing written" check the database).
    """

    def __init__(self) -> None:
        self.audits: list[OperationEventIn] = []
        self.usages: list[UsageEventIn] = []
        self.jobs: list[tuple[str, bytes, str | None]] = []

    def __call__(self, conn: object) -> RecordingOutbox:
        return self

    bind = __call__

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self.audits.extend(events)

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        self.usages.extend(events)

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str] | None = None
    ) -> None:
        keys = list(dedupe_keys) if dedupe_keys is not None else [None] * len(payloads)
        self.jobs.extend((entrypoint, p, k) for p, k in zip(payloads, keys, strict=True))

    def take_jobs(self, entrypoint: str) -> list[bytes]:
        taken = [p for e, p, _ in self.jobs if e == entrypoint]
        self.jobs = [j for j in self.jobs if j[0] != entrypoint]
        return taken

    def actions(self, user_id: uuid.UUID) -> list[str]:
        return [e.action for e in self.audits if e.user_id == user_id]


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class MemoryBlobStorage:
    """The BlobStorage port in memory (the real adapters pass the same contract suite)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.open_writers = 0

    async def writer(self, key: str) -> MemoryBlobWriter:
        self.open_writers += 1
        return MemoryBlobWriter(self, key)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if key not in self.blobs:
            raise KeyError(key)
        yield self.blobs[key][start:end]

    async def size(self, key: str) -> int | None:
        return len(self.blobs[key]) if key in self.blobs else None

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    async def delete_prefix(self, prefix: str) -> int:
        doomed = [key for key in self.blobs if key.startswith(prefix)]
        for key in doomed:
            del self.blobs[key]
        return len(doomed)


class MemoryBlobWriter:
    def __init__(self, storage: MemoryBlobStorage, key: str) -> None:
        self.storage = storage
        self.key = key
        self.data = bytearray()
        self.done = False

    async def write(self, chunk: bytes) -> None:
        self.data += chunk

    async def commit(self) -> None:
        self.storage.blobs[self.key] = bytes(self.data)
        self._close()

    async def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        if not self.done:
            self.done = True
            self.storage.open_writers -= 1


class MemoryFileRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, StoredFile] = {}

    async def add(self, file: StoredFile) -> None:
        self.rows[file.id] = file

    async def get(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        found = self.rows.get(file_id)
        return found if found is not None and found.user_id == user_id else None

    async def list_page(
        self, user_id: uuid.UUID, purpose: str | None, after: uuid.UUID | None, limit: int, newest_first: bool
    ) -> list[StoredFile]:
        mine = sorted(
            (f for f in self.rows.values() if f.user_id == user_id and purpose in (None, f.purpose)),
            key=lambda f: (f.created_at, f.id),
            reverse=newest_first,
        )
        if after is not None:
            ids = [f.id for f in mine]
            mine = mine[ids.index(after) + 1 :] if after in ids else []
        return mine[:limit]

    async def delete(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        found = await self.get(user_id, file_id)
        if found is not None:
            del self.rows[file_id]
        return found

    async def used_bytes(self, user_id: uuid.UUID, *, lock: bool) -> int:
        return sum(f.size_bytes for f in self.rows.values() if f.user_id == user_id)

    async def delete_all(self, user_id: uuid.UUID) -> list[str]:
        doomed = [f for f in self.rows.values() if f.user_id == user_id]
        for f in doomed:
            del self.rows[f.id]
        return [f.storage_key for f in doomed]


class MemoryFilesUnitOfWork:
    """Files and the outbox in memory; what a transaction did is kept only if it commits."""

    def __init__(self, files: MemoryFileRepository, outbox: RecordingOutbox) -> None:
        self._committed_files = files
        self._committed_outbox = outbox
        self.datasets: Any = None  # the Files use case never touches datasets

    async def __aenter__(self) -> MemoryFilesUnitOfWork:
        self.files = MemoryFileRepository()
        self.files.rows = dict(self._committed_files.rows)
        self.outbox = RecordingOutbox()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self._committed_files.rows = self.files.rows
        self._committed_outbox.audits += self.outbox.audits
        self._committed_outbox.usages += self.outbox.usages
        self._committed_outbox.jobs += self.outbox.jobs
