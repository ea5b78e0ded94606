"""The transactional outbox: jobs written on the business transaction's own connection.

``Outbox(conn, schema)`` enqueues pgqueuer jobs in the service's queue on the very connection
(and transaction) of the change, so they commit or roll back with it: nothing acknowledged is
lost, nothing rolled back is announced. ``mlp worker <service>`` relays them
(:mod:`mlp.common.runtime.worker`) at least once, with retries; receivers deduplicate on the
events' ids. Audit events go to identity's audit ingest, usage events to billing's, and a
service may queue jobs of its own (``enqueue``) for its worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeVar

import msgspec
from pgqueuer.db import AsyncpgDriver
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.audit import MAX_AUDIT_BATCH, OperationEventBatch, OperationEventIn
from mlp.common.contracts.usage import MAX_USAGE_BATCH, UsageEventBatch, UsageEventIn
from mlp.common.runtime.database import raw_connection_in_transaction
from mlp.common.runtime.queue import queue_queries
from mlp.common.runtime.tracing import trace_headers

AUDIT_ENTRYPOINT: Final = "outbox.audit"
"""A job carrying an ``OperationEventBatch`` for identity's ``POST /internal/v1/audit-events``."""
USAGE_ENTRYPOINT: Final = "outbox.usage"
"""A job carrying a ``UsageEventBatch`` for billing's ``POST /v1/usage-events``."""

T = TypeVar("T")


class Outbox:
    """The outbox of one transaction: bound to a SQLAlchemy connection inside it."""

    def __init__(self, connection: AsyncConnection, schema: str) -> None:
        self._connection = connection
        self._schema = schema

    async def enqueue(
        self,
        entrypoint: str,
        payloads: Sequence[bytes],
        dedupe_keys: Sequence[str | None] | None = None,
        priority: int = 0,
    ) -> None:
        """Queue one job per payload. A ``dedupe_key`` still queued or running makes its job a no-op."""
        if not payloads:
            return
        count = len(payloads)
        carrier = trace_headers()  # the trace of the change, continued by the worker that relays it
        queries = queue_queries(AsyncpgDriver(await raw_connection_in_transaction(self._connection)), self._schema)
        await queries.enqueue(
            [entrypoint] * count,
            list(payloads),
            [priority] * count,
            dedupe_key=list(dedupe_keys) if dedupe_keys is not None else None,
            headers=[carrier or None] * count,
            on_conflict="skip",
        )

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        batches = _chunks(events, MAX_AUDIT_BATCH)
        await self.enqueue(AUDIT_ENTRYPOINT, [msgspec.json.encode(OperationEventBatch(events=b)) for b in batches])

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        batches = _chunks(events, MAX_USAGE_BATCH)
        await self.enqueue(USAGE_ENTRYPOINT, [msgspec.json.encode(UsageEventBatch(events=b)) for b in batches])


def _chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
