"""A small per-replica cache with expiry, shared by the use cases that must agree on it
(e.g. revoking a session here forgets at once that it was recently seen active)."""

from __future__ import annotations

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self._max_entries = max_entries
        self._entries: dict[K, tuple[V, float]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def put(self, key: K, value: V, ttl_seconds: float | None = None) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        expires = time.monotonic() + (self.ttl_seconds if ttl_seconds is None else ttl_seconds)
        self._entries[key] = (value, expires)

    def forget(self, *keys: K) -> None:
        for key in keys:
            self._entries.pop(key, None)
