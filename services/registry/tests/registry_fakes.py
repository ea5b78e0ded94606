"""In-memory fakes of registry's ports (one place for the whole service's tests)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn


class RecordingOutbox:
    """The outbox port, recording what transactions wrote (one recorder shared by every transaction).

    Tests read ``audits``, ``usages`` and ``jobs``; the fake does not know about transactions, so
    it records at call time (use cases only call it inside a transaction that then commits, and
    the tests of "nothing written" check the database).
    """

    def __init__(self) -> None:
        self.audits: list[OperationEventIn] = []
        self.usages: list[UsageEventIn] = []
        self.jobs: list[tuple[str, bytes, str | None]] = []

    def __call__(self, conn: object) -> RecordingOutbox:
        return self

    bind = __call__

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self.audits.extend(events)

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        self.usages.extend(events)

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str] | None = None
    ) -> None:
        keys = list(dedupe_keys) if dedupe_keys is not None else [None] * len(payloads)
        self.jobs.extend((entrypoint, p, k) for p, k in zip(payloads, keys, strict=True))

    def take_jobs(self, entrypoint: str) -> list[bytes]:
        taken = [p for e, p, _ in self.jobs if e == entrypoint]
        self.jobs = [j for j in self.jobs if j[0] != entrypoint]
        return taken

    def actions(self, user_id: uuid.UUID) -> list[str]:
        return [e.action for e in self.audits if e.user_id == user_id]


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
