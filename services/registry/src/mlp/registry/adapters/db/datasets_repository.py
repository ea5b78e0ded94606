"""Datasets, their versions and rows in PostgreSQL; rows go in with COPY, pages come out by primary key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.tables_files import dataset_rows, dataset_versions, datasets
from mlp.registry.domain.datasets import Column, Dataset, DatasetVersion, Dialect, Problem

_latest_ready = (
    select(func.max(dataset_versions.c.version))
    .where(dataset_versions.c.dataset_id == datasets.c.id, dataset_versions.c.status == "ready")
    .correlate(datasets)
    .scalar_subquery()
    .label("latest_version")
)
_DATASET = (datasets.c.id, datasets.c.user_id, datasets.c.name, datasets.c.description, datasets.c.created_at)
_encode = msgspec.json.Encoder().encode


def _to_version(row: Any) -> DatasetVersion:
    return DatasetVersion(
        id=row.id,
        dataset_id=row.dataset_id,
        user_id=row.user_id,
        version=row.version,
        source_file_id=row.source_file_id,
        status=row.status,
        row_count=row.row_count,
        columns=tuple(Column(c["name"], c["type"]) for c in row.columns),
        dialect=Dialect(**row.dialect),
        created_at=row.created_at,
        finished_at=row.finished_at,
        error=row.error,
        problems=tuple(Problem(**p) for p in row.problems),
    )


def _version_values(v: DatasetVersion) -> dict[str, Any]:
    return {
        "status": v.status,
        "row_count": v.row_count,
        "columns": [{"name": c.name, "type": c.type} for c in v.columns],
        "dialect": {"delimiter": v.dialect.delimiter, "quotechar": v.dialect.quotechar, "encoding": v.dialect.encoding},
        "problems": [{"line": p.line, "message": p.message, "column": p.column} for p in v.problems],
        "error": v.error,
        "finished_at": v.finished_at,
        "updated_at": func.now(),
    }


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
        if row is None:
            return None
        await self._delete_rows(select(dataset_versions.c.id).where(dataset_versions.c.dataset_id == dataset_id))
        return Dataset(**row._mapping)

    async def delete_all(self, user_id: uuid.UUID) -> None:
        await self._delete_rows(select(dataset_versions.c.id).where(dataset_versions.c.user_id == user_id))
        await self._conn.execute(delete(datasets).where(datasets.c.user_id == user_id))

    async def _delete_rows(self, version_ids: Any) -> None:
        await self._conn.execute(delete(dataset_rows).where(dataset_rows.c.version_id.in_(version_ids)))

    async def add_version(self, version: DatasetVersion) -> None:
        await self._conn.execute(
            insert(dataset_versions).values(
                id=version.id,
                dataset_id=version.dataset_id,
                user_id=version.user_id,
                version=version.version,
                source_file_id=version.source_file_id,
                created_at=version.created_at,
                **_version_values(version),
            )
        )

    async def update_version(self, version: DatasetVersion) -> None:
        await self._conn.execute(
            update(dataset_versions).where(dataset_versions.c.id == version.id).values(**_version_values(version))
        )

    async def next_version_number(self, dataset_id: uuid.UUID) -> int:
        current = await self._conn.scalar(
            select(func.coalesce(func.max(dataset_versions.c.version), 0)).where(
                dataset_versions.c.dataset_id == dataset_id
            )
        )
        return int(current or 0) + 1

    async def version(self, user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> DatasetVersion | None:
        query = select(dataset_versions).where(
            dataset_versions.c.user_id == user_id, dataset_versions.c.dataset_id == dataset_id
        )
        if number is None:
            query = query.where(dataset_versions.c.status == "ready").order_by(dataset_versions.c.version.desc())
        else:
            query = query.where(dataset_versions.c.version == number)
        row = (await self._conn.execute(query.limit(1))).first()
        return _to_version(row) if row else None

    async def version_by_id(self, version_id: uuid.UUID) -> DatasetVersion | None:
        row = (await self._conn.execute(select(dataset_versions).where(dataset_versions.c.id == version_id))).first()
        return _to_version(row) if row else None

    async def versions(self, user_id: uuid.UUID, dataset_id: uuid.UUID) -> list[DatasetVersion]:
        rows = await self._conn.execute(
            select(dataset_versions)
            .where(dataset_versions.c.user_id == user_id, dataset_versions.c.dataset_id == dataset_id)
            .order_by(dataset_versions.c.version)
        )
        return [_to_version(row) for row in rows]

    async def append_rows(self, version_id: uuid.UUID, first_row_number: int, rows: list[list[str]]) -> None:
        raw = await self._conn.get_raw_connection()
        records = [(version_id, n, _encode(row).decode()) for n, row in enumerate(rows, first_row_number)]
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "dataset_rows", records=records, columns=("version_id", "row_number", "cells"), schema_name="registry"
        )

    async def rows(self, version_id: uuid.UUID, after_row: int, limit: int) -> list[tuple[int, list[str | None]]]:
        result = await self._conn.execute(
            select(dataset_rows.c.row_number, dataset_rows.c.cells)
            .where(dataset_rows.c.version_id == version_id, dataset_rows.c.row_number > after_row)
            .order_by(dataset_rows.c.row_number)
            .limit(limit)
        )
        return [(row.row_number, row.cells) for row in result]
