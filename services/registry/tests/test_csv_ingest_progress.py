"""Progress of an ingestion: rows so far, at most once a second (each report is a transaction)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mlp.registry.application import csv_ingest
from mlp.registry.application.csv_ingest import ingest_csv
from mlp.registry.application.csv_reader import CsvLimits, DialectHint
from mlp.registry.domain.datasets import DatasetVersion, Dialect

DATA = b"n\n" + b"".join(f"{i}\n".encode() for i in range(1, 100_001))


class SlicedFile:
    async def read(self, key: str) -> AsyncIterator[bytes]:
        for start in range(0, len(DATA), 64 * 1024):
            yield DATA[start : start + 64 * 1024]


class NoRows:
    async def append_rows(self, version_id: uuid.UUID, first_row_number: int, rows: list[list[str]]) -> None:
        pass


async def reports(every: float, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setattr(csv_ingest, "PROGRESS_EVERY_SECONDS", every)
    seen: list[int] = []

    async def progress(rows: int) -> None:
        seen.append(rows)

    version = DatasetVersion(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), 1, None, "processing", 0, (), Dialect(), datetime.now(UTC)
    )
    storage: Any = SlicedFile()
    repository: Any = NoRows()
    done = await ingest_csv(version, "key", DialectHint(), storage, repository, CsvLimits(), progress)
    assert done.row_count == 100_000
    return seen


async def test_progress_is_reported_once_a_second_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(await reports(3600.0, monkeypatch)) == 1  # the first rows, then nothing for an hour


async def test_every_report_has_new_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = await reports(0.0, monkeypatch)
    assert seen[0] > 0
    assert seen == sorted(set(seen))
    assert len(seen) > 5
