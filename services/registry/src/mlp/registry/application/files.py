"""Files: upload (streamed to storage), list, read, delete; bytes of deleted files are swept by the worker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from mlp.registry.application.file_events import stored_bytes_event
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.ports import BlobStorage, Clock, FilesUnitOfWork
from mlp.registry.application.uploads import PendingUpload, too_large
from mlp.registry.domain.content_types import sniff_content_type
from mlp.registry.domain.errors import NotFound
from mlp.registry.domain.files import StoredFile, check_purpose, clean_filename, storage_key_for

SWEEP_BLOB_JOB = "registry.sweep_blob"
"""Payload: the storage key of a deleted file."""
SWEEP_USER_BLOBS_JOB = "registry.sweep_user_blobs"
"""Payload: the storage prefix of a deleted user."""


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_upload_bytes: int
    quota_bytes: int


class Files:
    def __init__(
        self, uow: Callable[[], FilesUnitOfWork], storage: BlobStorage, clock: Clock, limits: FileLimits
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._clock = clock
        self._limits = limits

    async def check_room(self, user_id: uuid.UUID, declared_size: int | None = None) -> tuple[int, int]:
        """(most bytes this upload may have, quota left); refuses at once when nothing or not the
        declared size fits."""
        async with self._uow() as uow:
            quota_left = max(self._limits.quota_bytes - await uow.files.used_bytes(user_id, lock=False), 0)
        max_bytes = min(self._limits.max_upload_bytes, quota_left)
        if quota_left == 0 or (declared_size is not None and declared_size > max_bytes):
            raise too_large(max_bytes, quota_left)
        return max_bytes, quota_left

    async def start_upload(self, user_id: uuid.UUID, declared_size: int | None = None) -> PendingUpload:
        max_bytes, quota_left = await self.check_room(user_id, declared_size)
        file_id = uuid.uuid4()
        key = storage_key_for(user_id, file_id)
        return PendingUpload(file_id, user_id, key, await self._storage.writer(key), max_bytes, quota_left)

    async def complete(self, upload: PendingUpload, filename: str, purpose: str) -> StoredFile:
        """Commit the bytes and record the file; on any refusal nothing stays behind."""
        try:
            name, purpose = clean_filename(filename), check_purpose(purpose)
            await upload.writer.commit()
        except BaseException:
            await upload.writer.abort()
            raise
        try:
            return await self._record(upload, name, purpose)
        except BaseException:
            await self._storage.delete(upload.key)
            raise

    async def _record(self, upload: PendingUpload, filename: str, purpose: str) -> StoredFile:
        now = self._clock()
        stored = StoredFile(
            id=upload.id,
            user_id=upload.user_id,
            filename=filename,
            purpose=purpose,
            content_type=sniff_content_type(upload.head, filename),
            size_bytes=upload.size,
            sha256=upload.sha256,
            storage_key=upload.key,
            created_at=now,
        )
        async with self._uow() as uow:
            used = await uow.files.used_bytes(upload.user_id, lock=True)
            if used + upload.size > self._limits.quota_bytes:  # a concurrent upload took the room
                raise too_large(upload.max_bytes, max(self._limits.quota_bytes - used, 0))
            await uow.files.add(stored)
            await uow.outbox.audit(
                [registry_event(upload.user_id, "file.create", "file", upload.id, now, bytes=upload.size)]
            )
            await uow.outbox.usage([stored_bytes_event(upload.user_id, upload.id, upload.size, now)])
            await uow.commit()
        return stored

    async def get(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile:
        async with self._uow() as uow:
            stored = await uow.files.get(user_id, file_id)
        if stored is None:
            raise NotFound("file-not-found", f"no file {file_id}", field="file_id")
        return stored

    async def list_page(
        self, user_id: uuid.UUID, purpose: str | None, after: uuid.UUID | None, limit: int, newest_first: bool
    ) -> tuple[list[StoredFile], bool]:
        """A page, and whether more follow."""
        if purpose is not None:
            check_purpose(purpose)
        async with self._uow() as uow:
            page = await uow.files.list_page(user_id, purpose, after, limit + 1, newest_first)
        return page[:limit], len(page) > limit

    def content(self, stored: StoredFile, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        return self._storage.read(stored.storage_key, start, end)

    async def delete(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile:
        """The row goes now; the bytes are swept by the worker once this commits."""
        async with self._uow() as uow:
            stored = await uow.files.delete(user_id, file_id)
            if stored is None:
                raise NotFound("file-not-found", f"no file {file_id}", field="file_id")
            now = self._clock()
            await uow.outbox.audit([registry_event(user_id, "file.delete", "file", file_id, now)])
            await uow.outbox.enqueue(SWEEP_BLOB_JOB, [stored.storage_key.encode()], [stored.storage_key])
            await uow.commit()
        return stored

    async def sweep(self, key: str) -> None:
        """The worker's job: delete the bytes of a deleted file (idempotent)."""
        await self._storage.delete(key)

    async def sweep_prefix(self, prefix: str) -> None:
        """The worker's job after a user's deletion: every blob under the user's prefix (idempotent)."""
        await self._storage.delete_prefix(prefix)
