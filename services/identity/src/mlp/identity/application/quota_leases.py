"""Counting API-key requests against their quotas, across replicas, without a transaction per call.

A replica reserves a lease of requests per key and window (``lease_size``: 1 for small limits,
so they are exact) from the shared :class:`UsageStore`, in one short transaction that never
takes a window past its limit, then serves that many requests from memory. A window found full
stays refused here without asking the store again until it ends: counts only grow within a
window, so this is exact across replicas, and a flood of over-quota calls costs no I/O.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from mlp.identity.application.ports import UsageStore, WindowClaim
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.domain.quotas import QuotaDecision, QuotaWindow, lease_size, minute_start, month_start, window_end

MAX_TRACKED_KEYS = 100_000


@dataclass
class Lease:
    """One window of one key, as this replica sees it."""

    kind: str
    limit: int
    start: datetime
    ends: datetime
    left: int = 0  # requests reserved here and not served yet
    counted: int = 0  # the window's count in the store after the last reservation
    exhausted: bool = False  # the store said full: refused here until the window ends


@dataclass
class KeyLeases:
    minute: int  # the minute (epoch // 60) these windows were computed for
    leases: list[Lease] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def quota_windows(key: ApiKey, now: datetime) -> list[tuple[str, int, datetime]]:
    """(kind, limit, start) of the key's current windows."""
    windows = [
        ("minute", key.requests_per_minute, minute_start(now)),
        ("month", key.requests_per_month, month_start(now)),
    ]
    return [(kind, limit, start) for kind, limit, start in windows if limit is not None]


def refusal(lease: Lease) -> QuotaDecision:
    return QuotaDecision(False, (QuotaWindow(lease.kind, lease.limit, lease.limit, lease.ends),))


class LeasedUsageCounter:
    def __init__(self, store: UsageStore, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self._store = store
        self._max_keys = max_keys
        self._keys: OrderedDict[uuid.UUID, KeyLeases] = OrderedDict()

    async def count_request(self, key: ApiKey, now: datetime) -> QuotaDecision:
        if key.requests_per_minute is None and key.requests_per_month is None:
            return QuotaDecision(allowed=True)
        state = self._current(key, now)
        while True:
            exhausted = next((lease for lease in state.leases if lease.exhausted), None)
            if exhausted is not None:
                return refusal(exhausted)
            # no await between this check and taking: one request from every lease is atomic
            if all(lease.left > 0 for lease in state.leases):
                for lease in state.leases:
                    lease.left -= 1
                windows = (QuotaWindow(le.kind, le.limit, le.counted - le.left, le.ends) for le in state.leases)
                return QuotaDecision(True, tuple(windows))
            async with state.lock:
                lacking = [lease for lease in state.leases if lease.left == 0 and not lease.exhausted]
                if lacking:
                    await self._reserve(key.id, lacking)

    async def usage(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """Counts as stored: they include requests leased by replicas and not yet served."""
        return (await self.usage_of_keys([key], now))[key.id]

    async def usage_of_keys(self, keys: list[ApiKey], now: datetime) -> dict[uuid.UUID, QuotaDecision]:
        """Every key's windows in one read of the store (listings)."""
        wanted = {key.id: quota_windows(key, now) for key in keys}
        claims = [(key_id, kind, start) for key_id, ws in wanted.items() for kind, _, start in ws]
        used = await self._store.counts(claims) if claims else {}  # one query for a whole listing
        return {
            key_id: QuotaDecision(
                True,
                tuple(QuotaWindow(k, lim, used.get((key_id, k, s), 0), window_end(k, s)) for k, lim, s in ws),
            )
            for key_id, ws in wanted.items()
        }

    def _current(self, key: ApiKey, now: datetime) -> KeyLeases:
        """This key's leases for the current windows (recomputed when the minute turns)."""
        minute = int(now.timestamp()) // 60
        state = self._keys.get(key.id)
        if state is not None and state.minute == minute:
            self._keys.move_to_end(key.id)
            return state
        previous = {(lease.kind, lease.start): lease for lease in state.leases} if state else {}
        leases = [
            previous.get((kind, start)) or Lease(kind, limit, start, window_end(kind, start))
            for kind, limit, start in quota_windows(key, now)
        ]
        state = self._keys[key.id] = KeyLeases(minute, leases)
        self._keys.move_to_end(key.id)
        if len(self._keys) > self._max_keys:  # forgetting a key's leases only refuses a little early
            self._keys.popitem(last=False)
        return state

    async def _reserve(self, key_id: uuid.UUID, lacking: list[Lease]) -> None:
        claims = [WindowClaim(lease.kind, lease.start, lease.limit, lease_size(lease.limit)) for lease in lacking]
        granted = await self._store.reserve(key_id, claims)
        for lease in lacking:
            taken, counted = granted[lease.kind]
            lease.exhausted = taken <= 0 and counted >= lease.limit
            if taken > 0:
                lease.left, lease.counted = taken, counted
