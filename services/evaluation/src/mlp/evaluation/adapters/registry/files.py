"""An uploaded JSONL file as rows: OpenAI evals' ``{"item": {...}, "sample": {...}}`` per line.

Read from registry's OpenAI-compatible ``GET /v1/files/{id}/content`` with a ``Range`` from the
cursor's byte offset, so a page costs its own bytes only. A row's values are the item's fields,
plus ``sample.<key>`` for each field of the line's sample. Files never change: version 1.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from mlp.common.contracts.datasets import DatasetColumn, DatasetRow, DatasetRowsPage
from mlp.evaluation.domain.errors import InvalidInput, NotFound

FILE_CONTENT_PATH = "/v1/files/{file_id}/content"


def _values(line: bytes, number: int) -> dict[str, Any]:
    try:
        parsed = json.loads(line)
    except ValueError as exc:
        raise InvalidInput(f"line {number} of the file is not JSON", field="data_source.source.id") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("item"), dict):
        raise InvalidInput(f'line {number} is not an {{"item": {{...}}}} object', field="data_source.source.id")
    sample = parsed.get("sample")
    if not isinstance(sample, dict):
        sample = {}
    return {**parsed["item"], **{f"sample.{k}": v for k, v in sample.items()}}


class HttpFileRows:
    def __init__(self, http: httpx.AsyncClient, registry_url: str) -> None:
        self._http = http
        self._base = registry_url.rstrip("/")

    async def page(self, token: str, file_id: uuid.UUID, cursor: str | None, limit: int) -> DatasetRowsPage:
        offset, line_number = (int(part) for part in (cursor or "0:0").split(":"))
        headers = {"authorization": f"Bearer {token}", "range": f"bytes={offset}-"}
        rows: list[DatasetRow] = []
        consumed, more = 0, False
        url = self._base + FILE_CONTENT_PATH.format(file_id=file_id)
        async with self._http.stream("GET", url, headers=headers) as response:
            if response.status_code in (403, 404):
                raise NotFound("no such file", field="data_source.source.id")
            if response.status_code == 416:  # the offset is the end of the file
                return _page(file_id, rows, None)
            response.raise_for_status()
            async for raw in response.aiter_lines():
                if len(rows) == limit:
                    more = True  # a line is left (at worst blank: the next page is then empty and last)
                    break
                consumed += len(raw.encode()) + 1
                if raw.strip():
                    line_number += 1
                    rows.append(DatasetRow(row_number=line_number, values=_values(raw.encode(), line_number)))
        return _page(file_id, rows, f"{offset + consumed}:{line_number}" if more else None)


def _page(file_id: uuid.UUID, rows: list[DatasetRow], next_cursor: str | None) -> DatasetRowsPage:
    columns = [DatasetColumn(name=name, type="json") for name in (rows[0].values if rows else {})]
    return DatasetRowsPage(
        dataset_id=file_id, version=1, columns=columns, data=rows, has_more=next_cursor is not None,
        next_cursor=next_cursor,
    )  # fmt: skip
