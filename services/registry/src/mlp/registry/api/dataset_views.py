"""How datasets, versions and rows are shown; rows exactly as ``mlp.common.contracts.datasets`` says."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import msgspec

from mlp.common.contracts.datasets import DatasetColumn, DatasetRow, DatasetRowsPage
from mlp.common.runtime.problems import Problem
from mlp.registry.domain.cell_types import typed_value
from mlp.registry.domain.datasets import Dataset, DatasetVersion


class CsvProblemView(msgspec.Struct):
    line: int
    message: str


class VersionView(msgspec.Struct, kw_only=True):
    id: str
    dataset_id: str
    version: int
    status: str
    """``processing`` (``row_count`` is the rows read so far), ``ready`` or ``failed``."""
    row_count: int
    columns: list[DatasetColumn]
    delimiter: str
    quotechar: str
    encoding: str
    source_file_id: str | None
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    problems: list[CsvProblemView]


class DatasetView(msgspec.Struct, kw_only=True):
    id: str
    object: str = "dataset"
    name: str
    description: str | None
    created_at: datetime
    latest_version: int | None
    versions: list[VersionView] | None = None


class DatasetPage(msgspec.Struct, kw_only=True):
    object: str = "list"
    data: list[DatasetView]
    has_more: bool
    next_cursor: str | None


def version_view(v: DatasetVersion) -> VersionView:
    return VersionView(
        id=str(v.id),
        dataset_id=str(v.dataset_id),
        version=v.version,
        status=v.status,
        row_count=v.row_count,
        columns=[DatasetColumn(name=c.name, type=c.type) for c in v.columns],
        delimiter=v.dialect.delimiter,
        quotechar=v.dialect.quotechar,
        encoding=v.dialect.encoding,
        source_file_id=str(v.source_file_id) if v.source_file_id else None,
        created_at=v.created_at,
        finished_at=v.finished_at,
        error=v.error,
        problems=[CsvProblemView(p.line, p.message) for p in v.problems],
    )


def dataset_view(d: Dataset, versions: list[DatasetVersion] | None = None) -> DatasetView:
    return DatasetView(
        id=str(d.id),
        name=d.name,
        description=d.description,
        created_at=d.created_at,
        latest_version=d.latest_version,
        versions=[version_view(v) for v in versions] if versions is not None else None,
    )


def encode_cursor(row_number: int) -> str:
    return base64.urlsafe_b64encode(f"row:{row_number}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind == "row" and number.isdigit() and len(number) < 19:
            return int(number)
    except ValueError:
        pass
    raise Problem(400, "invalid-cursor", "the cursor is not one this API gave out", field="cursor")


def typed_row(version: DatasetVersion, row_number: int, cells: list[str | None]) -> DatasetRow:
    values: dict[str, Any] = {c.name: typed_value(cell, c.type) for c, cell in zip(version.columns, cells, strict=True)}
    return DatasetRow(row_number=row_number, values=values)


def rows_page(version: DatasetVersion, rows: list[tuple[int, list[str | None]]], has_more: bool) -> DatasetRowsPage:
    return DatasetRowsPage(
        dataset_id=version.dataset_id,
        version=version.version,
        columns=[DatasetColumn(name=c.name, type=c.type) for c in version.columns],
        data=[typed_row(version, n, cells) for n, cells in rows],
        has_more=has_more,
        next_cursor=encode_cursor(rows[-1][0]) if has_more and rows else None,
    )
