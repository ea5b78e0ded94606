"""Reading datasets: one, a page of them, their versions, pages of rows (what workers read), exports."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.ports import Clock, FilesUnitOfWork
from mlp.registry.domain.datasets import Dataset, DatasetVersion
from mlp.registry.domain.errors import NotFound

EXPORT_PAGE = 2000
DROP_ROWS_JOB = "registry.drop_dataset_rows"
"""Payload: comma-separated version ids whose rows go (their dataset was deleted: a big dataset's
millions of rows are not deleted within the request)."""
Row = tuple[int, list[str]]


def rows_job_payload(version_ids: list[uuid.UUID]) -> bytes:
    return ",".join(map(str, version_ids)).encode()


def _missing(dataset_id: uuid.UUID) -> NotFound:
    return NotFound("dataset-not-found", f"no dataset {dataset_id}", field="dataset_id")


class DatasetReads:
    def __init__(self, uow: Callable[[], FilesUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def get(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> tuple[Dataset, list[DatasetVersion]]:
        async with self._uow() as uow:
            dataset = await uow.datasets.get(user_id, dataset_id)
            if dataset is None:
                raise _missing(dataset_id)
            return dataset, await uow.datasets.versions(user_id, dataset_id)

    async def list_page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> tuple[list[Dataset], bool]:
        async with self._uow() as uow:
            page = await uow.datasets.list_page(user_id, after, limit + 1)
        return page[:limit], len(page) > limit

    async def version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion:
        """Version ``number`` (any status), or the latest ready one."""
        async with self._uow() as uow:
            return await self._version(uow, user_id, dataset_id, number)

    async def _version(
        self, uow: FilesUnitOfWork, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None
    ) -> DatasetVersion:
        version = await uow.datasets.version(user_id, dataset_id, number)
        if version is not None:
            return version
        if await uow.datasets.get(user_id, dataset_id) is None:
            raise _missing(dataset_id)
        which = f"version {number}" if number is not None else "a ready version"
        raise NotFound("dataset-version-not-found", f"dataset {dataset_id} has no {which}", field="version")

    async def ready_version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion:
        async with self._uow() as uow:
            return await self._ready_version(uow, user_id, dataset_id, number)

    async def _ready_version(
        self, uow: FilesUnitOfWork, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None
    ) -> DatasetVersion:
        version = await self._version(uow, user_id, dataset_id, number)
        if version.status != "ready":
            raise NotFound(
                "dataset-version-not-ready", f"version {version.version} is {version.status}", field="version"
            )
        return version

    async def page(
        self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None, after_row: int, limit: int
    ) -> tuple[DatasetVersion, list[Row], bool]:
        """A page of a ready version's rows: two indexed queries in one transaction (the workers' hot path)."""
        async with self._uow() as uow:
            version = await self._ready_version(uow, user_id, dataset_id, number)
            rows = await uow.datasets.rows(version.id, after_row, limit + 1)
        return version, rows[:limit], len(rows) > limit

    async def rows(self, version: DatasetVersion, after_row: int, limit: int) -> tuple[list[Row], bool]:
        async with self._uow() as uow:
            page = await uow.datasets.rows(version.id, after_row, limit + 1)
        return page[:limit], len(page) > limit

    async def all_rows(self, version: DatasetVersion) -> AsyncIterator[list[Row]]:
        """Every row in pages, for an export (each page its own short transaction)."""
        after = 0
        while True:
            page, more = await self.rows(version, after, EXPORT_PAGE)
            if page:
                yield page
                after = page[-1][0]
            if not more:
                return

    async def drop_rows(self, payload: bytes) -> None:
        """The worker's job (idempotent)."""
        version_ids = [uuid.UUID(part) for part in payload.decode().split(",") if part]
        if version_ids:
            async with self._uow() as uow:
                await uow.datasets.drop_rows(version_ids)
                await uow.commit()

    async def delete(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> None:
        async with self._uow() as uow:
            now: datetime = self._clock()
            if await uow.datasets.delete(user_id, dataset_id, now) is None:
                raise _missing(dataset_id)
            await uow.outbox.audit([registry_event(user_id, "dataset.delete", "dataset", dataset_id, now)])
            payload = rows_job_payload(await uow.datasets.version_ids(dataset_id))
            await uow.outbox.enqueue(DROP_ROWS_JOB, [payload], [f"drop-rows:{dataset_id}"])
            await uow.commit()
