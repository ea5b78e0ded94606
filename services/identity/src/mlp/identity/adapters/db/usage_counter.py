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
from dataclasses import dataclass, field
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
MAX_TRACKED_KEYS = 100_000


@dataclass
class Lease:
    """One window of one key, as this replica sees it."""

    kind: str
    limit: int
    start: datetime
    ends: datetime
    left: int = 0  # requests reserved here and not served yet
    counted: int = 0  # the window's count in the database after the last reservation


@dataclass
class KeyLeases:
    minute: int  # the minute (epoch // 60) these windows were computed for
    leases: list[Lease] = field(default_factory=list)


def _windows(key: ApiKey, now: datetime) -> list[Window]:
    windows = [
        ("minute", key.requests_per_minute, minute_start(now)),
        ("month", key.requests_per_month, month_start(now)),
    ]
    return [(kind, limit, start) for kind, limit, start in windows if limit is not None]


class SqlUsageCounter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._keys: dict[uuid.UUID, KeyLeases] = {}
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}

    async def count_request(self, key: ApiKey, now: datetime) -> QuotaDecision:
        if key.requests_per_minute is None and key.requests_per_month is None:
            return QuotaDecision(allowed=True)
        state = self._current(key, now)
        if any(lease.left == 0 for lease in state.leases):
            async with self._locks.setdefault(key.id, asyncio.Lock()):
                lacking = [lease for lease in state.leases if lease.left == 0]
                full = await self._reserve(key, lacking) if lacking else None
            if full is not None:
                return QuotaDecision(False, (QuotaWindow(full.kind, full.limit, full.limit, full.ends),))
        # no await from here on: taking one request from every lease is atomic on the event loop
        if any(lease.left == 0 for lease in state.leases):
            return await self.count_request(key, now)  # another request took the last one meanwhile
        for lease in state.leases:
            lease.left -= 1
        windows = (QuotaWindow(le.kind, le.limit, le.counted - le.left, le.ends) for le in state.leases)
        return QuotaDecision(True, tuple(windows))

    def _current(self, key: ApiKey, now: datetime) -> KeyLeases:
        """This key's leases for the current windows (recomputed when the minute turns)."""
        minute = int(now.timestamp()) // 60
        state = self._keys.get(key.id)
        if state is None or state.minute != minute:
            previous = {(lease.kind, lease.start): lease for lease in state.leases} if state else {}
            leases = [
                previous.get((kind, start)) or Lease(kind, limit, start, window_end(kind, start))
                for kind, limit, start in _windows(key, now)
            ]
            if len(self._keys) >= MAX_TRACKED_KEYS:  # forgetting leases only refuses a little early
                self._keys.clear()
                self._locks.clear()
            state = self._keys[key.id] = KeyLeases(minute, leases)
        return state

    async def _reserve(self, key: ApiKey, lacking: list[Lease]) -> Lease | None:
        """Lease requests for every lacking window, or for none if one is full (returned)."""
        kinds, starts = [lease.kind for lease in lacking], [lease.start for lease in lacking]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(ENSURE, key.id, kinds, starts)
            counts = {row["window_kind"]: row["count"] for row in await conn.fetch(LOCK, key.id, kinds, starts)}
            taken = [min(lease_size(lease.limit), lease.limit - counts[lease.kind]) for lease in lacking]
            full = next((lease for lease, got in zip(lacking, taken, strict=True) if got <= 0), None)
            if full is not None:
                return full
            await conn.execute(TAKE, key.id, kinds, starts, taken)
        for lease, got in zip(lacking, taken, strict=True):
            lease.left = got
            lease.counted = counts[lease.kind] + got
        return None

    async def usage(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """Counts as stored: they include requests leased by replicas and not yet served."""
        windows = _windows(key, now)
        if not windows:
            return QuotaDecision(allowed=True)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(READ, key.id, [w[0] for w in windows], [w[2] for w in windows])
        used = {row["window_kind"]: row["count"] for row in rows}
        return QuotaDecision(
            True, tuple(QuotaWindow(k, lim, used.get(k, 0), window_end(k, s)) for k, lim, s in windows)
        )
