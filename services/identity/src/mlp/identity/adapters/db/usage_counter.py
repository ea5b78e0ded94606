"""Quota counting in ``identity.api_key_usage``, shared by every identity replica.

A replica reserves a lease of requests per key and window (see ``lease_size``: 1 for small
limits, so they are exact) in one short transaction that never takes a window past its limit,
then serves that many requests from memory. This is the hot path of every API-key call, so it
uses its own asyncpg pool (prepared statements) with ``synchronous_commit = off``: a crash
may lose the last fraction of a second of counts, never let a window overflow.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import asyncpg

from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.domain.quotas import QuotaDecision, QuotaWindow, lease_size, minute_start, month_start, window_end

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
READ = LOCK.replace("FOR UPDATE", "")

Window = tuple[str, int, datetime]  # kind, limit, start
LeaseKey = tuple[uuid.UUID, str, datetime]


def _windows(key: ApiKey, now: datetime) -> list[Window]:
    windows = [
        ("minute", key.requests_per_minute, minute_start(now)),
        ("month", key.requests_per_month, month_start(now)),
    ]
    return [(kind, limit, start) for kind, limit, start in windows if limit is not None]


class SqlUsageCounter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._leases: dict[LeaseKey, int] = {}  # requests reserved here and not yet served
        self._counts: dict[LeaseKey, int] = {}  # the window's count in the database at last lease
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}

    async def count_request(self, key: ApiKey, now: datetime) -> QuotaDecision:
        windows = _windows(key, now)
        if not windows:
            return QuotaDecision(allowed=True)
        leases = [(key.id, kind, start) for kind, _, start in windows]
        if any(self._leases.get(lease, 0) == 0 for lease in leases):
            async with self._locks.setdefault(key.id, asyncio.Lock()):
                self._forget_ended_windows(key.id, windows)
                lacking = [w for w, lease in zip(windows, leases, strict=True) if self._leases.get(lease, 0) == 0]
                full = await self._reserve(key, lacking) if lacking else None
            if full is not None:
                kind, limit, start = full
                return QuotaDecision(False, (QuotaWindow(kind, limit, limit, window_end(kind, start)),))
        # no await from here on: taking one request from every lease is atomic on the event loop
        if any(self._leases.get(lease, 0) == 0 for lease in leases):
            return await self.count_request(key, now)  # another request took the last one meanwhile
        decision = []
        for (kind, limit, start), lease in zip(windows, leases, strict=True):
            self._leases[lease] -= 1
            used = self._counts[lease] - self._leases[lease]
            decision.append(QuotaWindow(kind, limit, used, window_end(kind, start)))
        return QuotaDecision(True, tuple(decision))

    async def _reserve(self, key: ApiKey, lacking: list[Window]) -> Window | None:
        """Lease requests for every lacking window, or for none if one is full (returned)."""
        kinds, starts = [w[0] for w in lacking], [w[2] for w in lacking]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(ENSURE, key.id, kinds, starts)
            counts = {row["window_kind"]: row["count"] for row in await conn.fetch(LOCK, key.id, kinds, starts)}
            taken = [min(lease_size(limit), limit - counts[kind]) for kind, limit, _ in lacking]
            full = next((window for window, got in zip(lacking, taken, strict=True) if got <= 0), None)
            if full is not None:
                return full
            await conn.execute(TAKE, key.id, kinds, starts, taken)
        for (kind, _, start), got in zip(lacking, taken, strict=True):
            self._leases[(key.id, kind, start)] = got
            self._counts[(key.id, kind, start)] = counts[kind] + got
        return None

    def _forget_ended_windows(self, key_id: uuid.UUID, current: list[Window]) -> None:
        live = {(key_id, kind, start) for kind, _, start in current}
        stale = [lease for lease in self._leases if lease[0] == key_id and lease not in live]
        for lease in stale:
            self._leases.pop(lease, None)
            self._counts.pop(lease, None)

    async def usage(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """Counts as stored: they include requests leased by replicas and not yet served."""
        windows = _windows(key, now)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(READ, key.id, [w[0] for w in windows], [w[2] for w in windows])
        used = {row["window_kind"]: row["count"] for row in rows}
        return QuotaDecision(
            True, tuple(QuotaWindow(k, lim, used.get(k, 0), window_end(k, s)) for k, lim, s in windows)
        )
