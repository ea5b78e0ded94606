"""Rows stored in blocks: built for COPY and sliced back into pages, and the migration that regroups old rows."""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections.abc import Callable

import asyncpg
import msgspec
from alembic import command
from dataset_helpers import Client, create_dataset
from registry_users import User

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import alembic_config
from mlp.registry.adapters.db.dataset_row_blocks import BLOCK_BYTES, copy_blocks, rows_of_blocks, rows_per_block


def test_blocks_hold_about_block_bytes_of_rows() -> None:
    assert BLOCK_BYTES // 46 <= rows_per_block([["x" * 40]] * 100) <= BLOCK_BYTES // 44  # 44 bytes and a comma
    assert rows_per_block([["x" * 10_000]]) == 1


def test_the_copy_payload_is_one_tuple_per_block_in_binary_format() -> None:
    version_id = uuid.uuid4()
    rows = [[str(i), "a\tb\\c"] for i in range(500)]
    payload = copy_blocks(version_id, 11, rows)
    assert payload.startswith(b"PGCOPY\n\xff\r\n\x00")
    assert payload.endswith(b"\xff\xff")
    size = rows_per_block(rows)
    offset, firsts, decoded = 19, [], []
    while payload[offset : offset + 2] != b"\xff\xff":
        fields, _, vid, _, first, length = struct.unpack_from(">hi16siqi", payload, offset)
        assert (fields, vid) == (3, version_id.bytes)
        offset += struct.calcsize(">hi16siqi")
        firsts.append(first)
        decoded += msgspec.json.decode(payload[offset : offset + length])
        offset += length
    assert firsts == list(range(11, 511, size))
    assert decoded == rows


def test_rows_of_blocks_starts_and_stops_inside_blocks() -> None:
    blocks = [(1, '[["a"],["b"],["c"]]'), (4, '[["d"],["e"]]'), (6, '[["f"]]')]
    assert rows_of_blocks(blocks, 1, 3) == [(2, ["b"]), (3, ["c"]), (4, ["d"])]
    assert rows_of_blocks(blocks[1:], 4, 10) == [(5, ["e"]), (6, ["f"])]
    assert rows_of_blocks(blocks, 0, 1) == [(1, ["a"])]


async def test_pages_of_every_size_cover_each_row_once(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    data = b"n,text\n" + b"".join(f'{i},"{"w" * (i % 97)}"\n'.encode() for i in range(1, 1201))
    dataset_id = (await create_dataset(client, user, data, "blocks")).json()["id"]
    for limit in (1, 7, 250, 1000):
        numbers: list[int] = []
        cursor = ""
        while True:
            page = (
                await client.get(f"/v1/datasets/{dataset_id}/rows?limit={limit}{cursor}", headers=user.headers)
            ).json()
            numbers += [row["row_number"] for row in page["data"]]
            assert all(row["values"]["n"] == row["row_number"] for row in page["data"])
            if not page["has_more"]:
                break
            cursor = f"&cursor={page['next_cursor']}"
        assert numbers == list(range(1, 1201)), limit


async def test_the_migration_regroups_rows_into_blocks_and_back(empty_database_url: str) -> None:
    config = alembic_config("mlp.registry", empty_database_url)
    await asyncio.to_thread(command.upgrade, config, "0009_tune_dataset_versions")
    version_id = uuid.uuid4()
    conn = await asyncpg.connect(plain_database_url(empty_database_url))
    try:
        rows = [(version_id, n, f'["{n}", "x"]') for n in range(1, 41)]
        await conn.executemany("INSERT INTO registry.dataset_rows VALUES ($1, $2, $3::json)", rows)
        await asyncio.to_thread(command.upgrade, config, "0010_dataset_row_blocks")
        blocks = await conn.fetch("SELECT first_row, cells::text FROM registry.dataset_row_blocks ORDER BY first_row")
        assert [b["first_row"] for b in blocks] == [1, 17, 33]
        assert rows_of_blocks([(b[0], b[1]) for b in blocks], 0, 100) == [(n, [str(n), "x"]) for n in range(1, 41)]
        await asyncio.to_thread(command.downgrade, config, "0009_tune_dataset_versions")
        back = await conn.fetch("SELECT version_id, row_number, cells::text FROM registry.dataset_rows ORDER BY 2")
        assert [(r[0], r[1], msgspec.json.decode(r[2])) for r in back] == [
            (version_id, n, [str(n), "x"]) for n in range(1, 41)
        ]
    finally:
        await conn.close()
