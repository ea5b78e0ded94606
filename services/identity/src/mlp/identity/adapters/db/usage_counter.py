"""Quota counts in ``identity.api_key_usage``, shared by every identity replica.

The hot path of every quota-limited API-key call (one reservation per lease, see
``application/quota_leases.py``), so it uses its own asyncpg pool (prepared statements) with
``synchronous_commit = off``: a crash may lose the last fraction of a second of counts, never
let a window overflow.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from mlp.identity.application.ports import WindowClaim

ENSURE = """
INSERT INTO identity.api_key_usage (api_key_id, window_kind, window_start, count)
SELECT $1, kind, start, 0 FROM unnest($2::text[], $3::timestamptz[]) AS w(kind, start)
ON CONFLICT DO NOTHING
"""
LOCK = """
SELECT window_kind, count FROM identity.api_key_usage
WHERE api_key_id = $1 AND (window_kind, window_start) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[]))
FOR UPDATE
"""
TAKE = """
UPDATE identity.api_key_usage AS u SET count = u.count + w.taken
FROM unnest($2::text[], $3::timestamptz[], $4::int[]) AS w(kind, start, taken)
WHERE u.api_key_id = $1 AND u.window_kind = w.kind AND u.window_start = w.start
"""
COUNTS = """
SELECT u.api_key_id, u.window_kind, u.window_start, u.count FROM identity.api_key_usage AS u
JOIN unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS w(key_id, kind, start)
  ON u.api_key_id = w.key_id AND u.window_kind = w.kind AND u.window_start = w.start
"""

CountKey = tuple[uuid.UUID, str, datetime]


class SqlUsageStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def reserve(self, key_id: uuid.UUID, claims: list[WindowClaim]) -> dict[str, tuple[int, int]]:
        kinds, starts = [c.kind for c in claims], [c.start for c in claims]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(ENSURE, key_id, kinds, starts)
            counts = {row["window_kind"]: row["count"] for row in await conn.fetch(LOCK, key_id, kinds, starts)}
            taken = [min(c.wanted, c.limit - counts[c.kind]) for c in claims]
            if any(got <= 0 for got in taken):
                return {c.kind: (0, counts[c.kind]) for c in claims}
            await conn.execute(TAKE, key_id, kinds, starts, taken)
        return {c.kind: (got, counts[c.kind] + got) for c, got in zip(claims, taken, strict=True)}

    async def counts(self, windows: list[CountKey]) -> dict[CountKey, int]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(COUNTS, *(list(column) for column in zip(*windows, strict=True)))
        return {(row["api_key_id"], row["window_kind"], row["window_start"]): row["count"] for row in rows}
