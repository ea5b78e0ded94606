"""Rows of a dataset version stored in blocks: a database row holds a JSON array of consecutive rows.

Per-row tuples made PostgreSQL's work (heap tuple, primary key entry, WAL record, per row) most of
an ingestion's time; a block of ~2 KB (under the size at which PostgreSQL would compress it) cuts
that work by the rows per block, and a page of rows is still a short range scan of the key.
Blocks go in with COPY's binary format, built by C code (msgspec and struct), with no Python step
per row or cell.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import AsyncIterator
from itertools import chain, repeat
from typing import Final

import msgspec

BLOCK_BYTES: Final = 2000
MAX_BLOCK_ROWS: Final = 1024
_SAMPLE_ROWS: Final = 32
_COPY_HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER: Final = struct.pack(">h", -1)
_tuple_head = struct.Struct(">hi16siqi").pack
"""3 fields: the version id (16 bytes), the first row's number (8), then the block's length."""
_encode = msgspec.json.Encoder().encode
_decode_block = msgspec.json.Decoder(list[list[str]]).decode


async def once(payload: bytes) -> AsyncIterator[bytes]:
    yield payload


def rows_per_block(rows: list[list[str]]) -> int:
    """As many rows as fit ``BLOCK_BYTES``, judged from the first rows' JSON."""
    sample = rows[:_SAMPLE_ROWS]
    return max(1, min(MAX_BLOCK_ROWS, BLOCK_BYTES * len(sample) // len(_encode(sample))))


def copy_blocks(version_id: uuid.UUID, first_row_number: int, rows: list[list[str]]) -> bytes:
    """A whole binary COPY (header, tuples, trailer) of ``rows`` as blocks ``(version_id, first_row, cells)``."""
    size = rows_per_block(rows)
    starts = range(0, len(rows), size)
    blocks = [_encode(rows[start : start + size]) for start in starts]
    heads = map(
        _tuple_head,
        repeat(3),
        repeat(16),
        repeat(version_id.bytes),
        repeat(8),
        range(first_row_number, first_row_number + len(rows), size),
        map(len, blocks),
    )
    return b"".join((_COPY_HEADER, *chain.from_iterable(zip(heads, blocks, strict=True)), _COPY_TRAILER))


def rows_of_blocks(blocks: list[tuple[int, str]], after_row: int, limit: int) -> list[tuple[int, list[str]]]:
    """The rows numbered past ``after_row`` (at most ``limit``) of blocks given in order as (first row, JSON)."""
    rows: list[tuple[int, list[str]]] = []
    for first_row, cells in blocks:
        skip = max(0, after_row + 1 - first_row)
        block = _decode_block(cells)[skip : skip + limit - len(rows)]
        rows += zip(range(first_row + skip, first_row + skip + len(block)), block, strict=True)
    return rows
