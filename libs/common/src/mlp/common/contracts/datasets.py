"""Registry's dataset rows as other services read them (evaluation and fine-tuning workers).

``GET /v1/datasets/{dataset_id}/rows?version=<n>&cursor=<opaque>&limit=<1..1000>`` answers a
``DatasetRowsPage``; ``version`` defaults to the latest ready version. Rows are numbered from 1
in file order; ``row_number`` is stable for a version (versions are immutable), so a reader can
resume from any row and key its own results by it.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, Literal

import msgspec

DATASET_ROWS_PATH: Final = "/v1/datasets/{dataset_id}/rows"
DATASET_PATH: Final = "/v1/datasets/{dataset_id}"
MAX_ROWS_PAGE: Final = 1000

ColumnType = Literal["string", "integer", "float", "boolean", "json"]


class DatasetColumn(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: ColumnType


class DatasetRow(msgspec.Struct, frozen=True, kw_only=True):
    row_number: int
    values: dict[str, Any]
    """Column name -> typed value (``None`` for an empty cell)."""


class DatasetRowsPage(msgspec.Struct, frozen=True, kw_only=True):
    object: Literal["list"] = "list"
    dataset_id: uuid.UUID
    version: int
    columns: list[DatasetColumn]
    data: list[DatasetRow]
    has_more: bool
    next_cursor: str | None = None
