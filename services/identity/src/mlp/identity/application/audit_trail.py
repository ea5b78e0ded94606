"""The audit trail: batches delivered by every service, and a user's own listing."""

from __future__ import annotations

from dataclasses import replace

from mlp.identity.application.ports import UnitOfWorkFactory
from mlp.identity.domain.audit import AuditQuery, OperationEvent


class AuditTrail:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def ingest(self, service: str, events: list[OperationEvent]) -> int:
        """Store a batch delivered by ``service`` (the authenticated caller: whatever the events
        say, they are recorded as its own); an event id seen before is skipped. How many were new."""
        events = [replace(event, service=service) for event in events]
        async with self._uow() as uow:
            inserted = await uow.audit.record(events)
            await uow.commit()
        return inserted

    async def list_events(self, query: AuditQuery) -> list[OperationEvent]:
        async with self._uow() as uow:
            return await uow.audit.query(query)
