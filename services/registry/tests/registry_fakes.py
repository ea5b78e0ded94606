"""In-memory fakes of registry's ports, the one place they live (named so it cannot shadow identity's ``fakes``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn


class RecordingOutbox:
    """The outbox port, recording what a transaction wrote; ``committed`` only after it commits.

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


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
