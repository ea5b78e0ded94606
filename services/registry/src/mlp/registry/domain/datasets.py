"""Datasets: named, owned by a user, with immutable numbered versions made from CSV files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

VERSION_STATUSES: Final = ("processing", "ready", "failed")
ColumnType = Literal["string", "integer", "float", "boolean", "json"]
MAX_NAME_CHARS: Final = 128


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType


@dataclass(frozen=True, slots=True)
class Dialect:
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a CSV file; ``line`` is 1-based in the file (the header is line 1)."""

    line: int
    message: str
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime
    latest_version: int | None = None
    """The newest ready version, if any."""


@dataclass(frozen=True, slots=True)
class DatasetVersion:
    id: uuid.UUID
    dataset_id: uuid.UUID
    user_id: uuid.UUID
    version: int
    source_file_id: uuid.UUID | None
    status: str
    row_count: int
    columns: tuple[Column, ...]
    dialect: Dialect
    created_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    problems: tuple[Problem, ...] = field(default=())
