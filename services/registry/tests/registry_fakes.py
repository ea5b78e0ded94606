"""In-memory fakes of registry's ports: one module for the service, named apart from other services' ``fakes``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mlp.common.contracts.audit import OperationEventIn


class RecordingAuditOutbox:
    """The AuditOutbox port: keeps what would have been enqueued (shared by every transaction's outbox)."""

    def __init__(self) -> None:
        self.events: list[OperationEventIn] = []

    def bind(self, _conn: Any) -> RecordingAuditOutbox:
        return self

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self.events.extend(events)

    def actions(self, user_id: Any) -> list[str]:
        return [e.action for e in self.events if e.user_id == user_id]


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
