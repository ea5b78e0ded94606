"""A bounded cache with expiry, least recently used evicted first: every per-credential,
per-key or per-user memory of the auth path is one of these, so none grows without bound."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlLru(Generic[K, V]):
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def expires_in(self, key: K) -> float:
        """Seconds until ``key``'s entry expires (0 when there is none)."""
        entry = self._entries.get(key)
        return max(entry[1] - self._clock(), 0.0) if entry is not None else 0.0

    def put(self, key: K, value: V, ttl_seconds: float | None = None) -> None:
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            return
        self._entries[key] = (value, self._clock() + ttl)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, *keys: K) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def forget_where(self, predicate: Callable[[K, V], bool]) -> None:
        """Drop every entry matching ``predicate`` (revocations: rare, so a scan is fine)."""
        for key in [k for k, (v, _) in self._entries.items() if predicate(k, v)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
