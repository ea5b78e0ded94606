"""Ingestion of one dataset version: the source file's bytes read as CSV, rows COPYed as they come."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Final

from mlp.registry.application.csv_reader import CsvLimits, CsvStreamReader, DialectHint
from mlp.registry.application.ports import BlobStorage, DatasetRepository
from mlp.registry.domain.datasets import DatasetVersion, Problem
from mlp.registry.domain.errors import InvalidInput

Progress = Callable[[int], Awaitable[None]]
PROGRESS_EVERY_SECONDS: Final = 1.0
"""Each report is a transaction of its own (a commit, an fsync): one a chunk cost seconds on a large file."""


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


class _Throttled:
    """Reports rows not reported yet, at most once a ``PROGRESS_EVERY_SECONDS``."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._rows = 0
        self._next_at = 0.0

    async def __call__(self, rows: int) -> None:
        if rows > self._rows and time.monotonic() >= self._next_at:
            self._rows, self._next_at = rows, time.monotonic() + PROGRESS_EVERY_SECONDS
            await self._progress(rows)


async def ingest_csv(
    version: DatasetVersion,
    storage_key: str,
    hint: DialectHint,
    storage: BlobStorage,
    repository: DatasetRepository,
    limits: CsvLimits,
    progress: Progress | None = None,
) -> DatasetVersion:
    """Rows go into ``repository`` (in the caller's transaction); raises ``CsvRejected`` with every problem.

    Each chunk's COPY runs while the next chunk is read and parsed (PostgreSQL works on one
    while Python parses the other); only one COPY is in flight on the connection at a time.
    """
    reader = CsvStreamReader(limits, hint)
    next_row = 1
    copying: asyncio.Task[None] | None = None
    report = _Throttled(progress) if progress is not None else None

    async def store(rows: list[list[str]]) -> None:
        nonlocal next_row, copying
        if rows:
            if copying is not None:
                await copying
            copying = asyncio.create_task(repository.append_rows(version.id, next_row, rows))
            next_row += len(rows)

    try:
        async for chunk in storage.read(storage_key):
            await store(reader.feed(chunk))
            if report is not None:
                await report(next_row - 1)
        await store(reader.finish())
    except BaseException:
        if copying is not None:  # let it end before the transaction is rolled back; its error is secondary
            await asyncio.gather(copying, return_exceptions=True)
        raise
    if copying is not None:
        await copying
    if reader.problems:
        raise CsvRejected(reader.problems)
    return dataclasses.replace(
        version, status="ready", row_count=reader.row_count, columns=tuple(reader.columns), dialect=reader.dialect
    )
