"""Reading datasets: one, a page of them, their versions, pages of rows (what workers read), exports."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from mlp.registry.application.file_events import audit_event
from mlp.registry.application.ports import Clock, FilesUnitOfWork
from mlp.registry.domain.datasets import Dataset, DatasetVersion
from mlp.registry.domain.errors import NotFound

EXPORT_PAGE = 2000
Row = tuple[int, list[str | None]]


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
            if await uow.datasets.get(user_id, dataset_id) is None:
                raise _missing(dataset_id)
            version = await uow.datasets.version(user_id, dataset_id, number)
        if version is None:
            which = f"version {number}" if number is not None else "a ready version"
            raise NotFound("dataset-version-not-found", f"dataset {dataset_id} has no {which}", field="version")
        return version

    async def ready_version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion:
        version = await self.version(user_id, dataset_id, number)
        if version.status != "ready":
            raise NotFound(
                "dataset-version-not-ready", f"version {version.version} is {version.status}", field="version"
            )
        return version

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

    async def delete(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> None:
        async with self._uow() as uow:
            now: datetime = self._clock.now()
            if await uow.datasets.delete(user_id, dataset_id, now) is None:
                raise _missing(dataset_id)
            await uow.outbox.audit([audit_event(user_id, "dataset.delete", "dataset", dataset_id, now)])
            await uow.commit()
