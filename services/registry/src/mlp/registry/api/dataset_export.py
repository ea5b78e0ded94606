"""A dataset version as a CSV or JSONL download, streamed page by page."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import msgspec

from mlp.registry.api.dataset_views import typed_row
from mlp.registry.application.dataset_reads import DatasetReads
from mlp.registry.domain.datasets import DatasetVersion

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = ("integer", "float")


def defused(cell: str | None, column_type: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading quote (OWASP's advice).

    Numbers are left alone: ``-3`` in an integer column is a number, not a formula.
    """
    if cell and column_type not in _NUMERIC and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell or ""


async def csv_export(reads: DatasetReads, version: DatasetVersion) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([defused(c.name, "string") for c in version.columns])
    types = [c.type for c in version.columns]
    async for page in reads.all_rows(version):
        writer.writerows([defused(cell, t) for cell, t in zip(cells, types, strict=True)] for _, cells in page)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def jsonl_export(reads: DatasetReads, version: DatasetVersion) -> AsyncIterator[bytes]:
    encode = msgspec.json.Encoder().encode
    async for page in reads.all_rows(version):
        yield b"".join(encode(typed_row(version, n, cells).values) + b"\n" for n, cells in page)
