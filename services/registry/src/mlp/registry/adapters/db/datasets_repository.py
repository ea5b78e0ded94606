"""Datasets, their versions and rows in PostgreSQL; rows go in as blocks with COPY, pages come out by primary key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.runtime.database import raw_connection, raw_connection_in_transaction
from mlp.registry.adapters.db.dataset_row_blocks import copy_blocks, once, rows_of_blocks
from mlp.registry.adapters.db.dataset_versions_mapping import to_version, version_values
from mlp.registry.adapters.db.tables_files import dataset_row_blocks, dataset_versions, datasets
from mlp.registry.domain.datasets import Dataset, DatasetVersion

_latest_ready = (
    select(func.max(dataset_versions.c.version))
    .where(dataset_versions.c.dataset_id == datasets.c.id, dataset_versions.c.status == "ready")
    .correlate(datasets)
    .scalar_subquery()
    .label("latest_version")
)
_DATASET = (datasets.c.id, datasets.c.user_id, datasets.c.name, datasets.c.description, datasets.c.created_at)


class SqlDatasetRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user_id: uuid.UUID, name: str, description: str | None) -> Dataset | None:
        row = (
            await self._conn.execute(
                pg_insert(datasets)
                .values(user_id=user_id, name=name, description=description)
                .on_conflict_do_nothing()
                .returning(*_DATASET)
            )
        ).first()
        return Dataset(**row._mapping) if row else None

    async def get(self, user_id: uuid.UUID, dataset_id: uuid.UUID, *, lock: bool = False) -> Dataset | None:
        query = select(*_DATASET, _latest_ready).where(
            datasets.c.user_id == user_id, datasets.c.id == dataset_id, datasets.c.deleted_at.is_(None)
        )
        row = (await self._conn.execute(query.with_for_update(of=datasets) if lock else query)).first()
        return Dataset(**row._mapping) if row else None

    async def list_page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> list[Dataset]:
        query = select(*_DATASET, _latest_ready).where(datasets.c.user_id == user_id, datasets.c.deleted_at.is_(None))
        if after is not None:
            query = query.where(datasets.c.id > after)
        rows = await self._conn.execute(query.order_by(datasets.c.id).limit(limit))
        return [Dataset(**row._mapping) for row in rows]

    async def delete(self, user_id: uuid.UUID, dataset_id: uuid.UUID, now: datetime) -> Dataset | None:
        row = (
            await self._conn.execute(
                update(datasets)
                .where(datasets.c.user_id == user_id, datasets.c.id == dataset_id, datasets.c.deleted_at.is_(None))
                .values(deleted_at=now, updated_at=now)
                .returning(*_DATASET)
            )
        ).first()
        return Dataset(**row._mapping) if row else None

    async def version_ids(self, dataset_id: uuid.UUID) -> list[uuid.UUID]:
        found = await self._conn.scalars(
            select(dataset_versions.c.id).where(dataset_versions.c.dataset_id == dataset_id)
        )
        return list(found)

    async def delete_all(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        found = await self._conn.scalars(select(dataset_versions.c.id).where(dataset_versions.c.user_id == user_id))
        version_ids = list(found)
        await self._conn.execute(delete(datasets).where(datasets.c.user_id == user_id))
        return version_ids

    async def drop_rows(self, version_ids: list[uuid.UUID]) -> None:
        await self._conn.execute(delete(dataset_row_blocks).where(dataset_row_blocks.c.version_id.in_(version_ids)))

    async def add_version(self, version: DatasetVersion) -> None:
        await self._conn.execute(
            insert(dataset_versions).values(
                id=version.id,
                dataset_id=version.dataset_id,
                user_id=version.user_id,
                version=version.version,
                source_file_id=version.source_file_id,
                created_at=version.created_at,
                **version_values(version),
            )
        )

    async def update_version(self, version: DatasetVersion) -> None:
        await self._conn.execute(
            update(dataset_versions).where(dataset_versions.c.id == version.id).values(**version_values(version))
        )

    async def next_version_number(self, dataset_id: uuid.UUID) -> int:
        current = await self._conn.scalar(
            select(func.coalesce(func.max(dataset_versions.c.version), 0)).where(
                dataset_versions.c.dataset_id == dataset_id
            )
        )
        return int(current or 0) + 1

    async def version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion | None:
        """Only a version of a dataset that is not deleted."""
        query = (
            select(dataset_versions)
            .join(datasets, datasets.c.id == dataset_versions.c.dataset_id)
            .where(
                dataset_versions.c.user_id == user_id,
                dataset_versions.c.dataset_id == dataset_id,
                datasets.c.deleted_at.is_(None),
            )
        )
        if number is None:
            query = query.where(dataset_versions.c.status == "ready").order_by(dataset_versions.c.version.desc())
        else:
            query = query.where(dataset_versions.c.version == number)
        row = (await self._conn.execute(query.limit(1))).first()
        return to_version(row) if row else None

    async def version_by_id(self, version_id: uuid.UUID) -> DatasetVersion | None:
        row = (await self._conn.execute(select(dataset_versions).where(dataset_versions.c.id == version_id))).first()
        return to_version(row) if row else None

    async def versions(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> list[DatasetVersion]:
        rows = await self._conn.execute(
            select(dataset_versions)
            .where(dataset_versions.c.user_id == user_id, dataset_versions.c.dataset_id == dataset_id)
            .order_by(dataset_versions.c.version)
        )
        return [to_version(row) for row in rows]

    async def append_rows(self, version_id: uuid.UUID, first_row_number: int, rows: list[list[str]]) -> None:
        raw = await raw_connection_in_transaction(self._conn)  # the rows commit with their version
        await raw.copy_to_table(
            "dataset_row_blocks",
            source=once(copy_blocks(version_id, first_row_number, rows)),
            columns=("version_id", "first_row", "cells"),
            schema_name="registry",
            format="binary",
        )

    async def rows(self, version_id: uuid.UUID, after_row: int, limit: int) -> list[tuple[int, list[str]]]:
        """The blocks from the one holding row ``after_row + 1`` to the one holding ``after_row + limit``."""
        found: list[Any] = await (await raw_connection(self._conn)).fetch(
            "SELECT first_row, cells::text FROM registry.dataset_row_blocks"
            " WHERE version_id = $1 AND first_row <= $3 AND first_row >= coalesce("
            "(SELECT max(first_row) FROM registry.dataset_row_blocks WHERE version_id = $1 AND first_row <= $2), 1)"
            " ORDER BY first_row",
            version_id,
            after_row + 1,
            after_row + limit,
        )
        return rows_of_blocks(found, after_row, limit)
