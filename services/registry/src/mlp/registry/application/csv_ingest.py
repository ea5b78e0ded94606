"""Ingestion of one dataset version: the source file's bytes read as CSV, rows COPYed as they come."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from mlp.registry.application.csv_reader import CsvLimits, CsvStreamReader, DialectHint
from mlp.registry.application.ports import BlobStorage, DatasetRepository
from mlp.registry.domain.datasets import DatasetVersion, Problem
from mlp.registry.domain.errors import InvalidInput

Progress = Callable[[int], Awaitable[None]]


class CsvRejected(InvalidInput):
    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(
            "invalid-csv",
            f"the CSV file has {len(problems)} problem(s); first, line {first.line}: {first.message}",
            field="file_id",
            problems=[{"line": p.line, "message": p.message} for p in problems],
        )
        self.problems = problems


async def ingest_csv(
    version: DatasetVersion,
    storage_key: str,
    hint: DialectHint,
    storage: BlobStorage,
    repository: DatasetRepository,
    limits: CsvLimits,
    progress: Progress | None = None,
) -> DatasetVersion:
    """Rows go into ``repository`` (in the caller's transaction); raises ``CsvRejected`` with every problem."""
    reader = CsvStreamReader(limits, hint)
    next_row = 1

    async def store(rows: list[list[str]]) -> None:
        nonlocal next_row
        if rows:
            await repository.append_rows(version.id, next_row, rows)
            next_row += len(rows)

    async for chunk in storage.read(storage_key):
        await store(reader.feed(chunk))
        if progress is not None:
            await progress(next_row - 1)
    await store(reader.finish())
    if reader.problems:
        raise CsvRejected(reader.problems)
    return dataclasses.replace(
        version, status="ready", row_count=reader.row_count, columns=tuple(reader.columns), dialect=reader.dialect
    )
