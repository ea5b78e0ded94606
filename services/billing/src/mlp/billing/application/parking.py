"""Usage that billing refused from a platform service is parked with its reason, never lost.

Parking happens here, on the receiving side, rather than in each sender's outbox relay: billing
is the one that knows why an event was refused (and, for a conflict, what it conflicts with), one
table and one replay endpoint serve every sender, and a replay runs the same ingestion the event
first met, as its original sender (source). A user's own refused events are answered to the user
and not parked: only the platform's usage is owed a replay.

Replay re-ingests parked events once the cause is fixed (a metric billing now knows, a price book
now in force...): accepted or duplicate ones leave the table, the others stay with the new reason
and one attempt more (ingestion parks them again under the same digest).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from mlp.billing.application.event_validation import Caller
from mlp.billing.application.ingestion import UsageIngestion
from mlp.billing.application.parked_events import raw_of
from mlp.billing.application.ports import Transactions
from mlp.common.contracts.usage import MAX_USAGE_BATCH


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    replayed: int
    resolved: int
    still_parked: int


class ParkedUsage:
    """List and replay the parked events (operators: platform services only)."""

    def __init__(self, transactions: Transactions, ingestion: UsageIngestion) -> None:
        self._tx = transactions
        self._ingestion = ingestion

    async def list(self, limit: int, source: str | None) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.parked.oldest(limit, source)

    async def replay(self, ids: Sequence[uuid.UUID] | None, limit: int) -> ReplayOutcome:
        async with self._tx() as tx:
            rows = await tx.parked.take(ids, limit)
        resolved: list[uuid.UUID] = []
        rows.sort(key=lambda r: r["source"])
        for source, group in groupby(rows, key=lambda r: r["source"]):
            items = list(group)
            for start in range(0, len(items), MAX_USAGE_BATCH):
                chunk = items[start : start + MAX_USAGE_BATCH]
                raws = [raw_of(row["event"]) for row in chunk]
                receipt = await self._ingestion.ingest(raws, Caller.service(source))
                resolved.extend(row["id"] for row, r in zip(chunk, receipt.results, strict=True) if r.status_code < 400)
        if resolved:
            async with self._tx() as tx:
                await tx.parked.remove(resolved)
        return ReplayOutcome(replayed=len(rows), resolved=len(resolved), still_parked=len(rows) - len(resolved))
