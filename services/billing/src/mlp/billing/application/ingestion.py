"""Usage ingestion: validate each event on its own, store the new ones with their aggregates, say what became of each.

Per event: an unknown metric, a bad quantity or a timestamp outside the window is a 422; an
event for another user, or of a platform metric, sent with a user's credential is a 403; an id
already stored for the same (user, source) with the same payload is a duplicate (accepted again,
counted once), with another payload a 409. The new
events, their daily aggregates and the follow-up jobs (meter events for Stripe, budget checks)
commit together, so a crash loses nothing acknowledged and a retry counts nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from mlp.billing.application.event_validation import Caller, RawUsageEvent, validated_event
from mlp.billing.application.jobs import CHECK_BUDGET, PUSH_METER_EVENTS, BudgetCheck, MeterPush
from mlp.billing.application.parked_events import parked_event
from mlp.billing.application.ports import Clock, Transaction, Transactions
from mlp.billing.domain.metrics import MetricCatalogue
from mlp.billing.domain.usage import EventRejected, IngestWindow, UsageEvent
from mlp.common.contracts.usage import UsageBatchReceipt, UsageEventIn, UsageEventResult

Key = tuple[int, str]
"""(user id as an int, event id) of one caller's batch (one source): hashing ``uuid.UUID`` objects is
Python code, per event, several times."""


def _result(event_id: str, status: str, code: int, detail: str | None = None) -> UsageEventResult:
    return UsageEventResult(event_id=event_id, status=status, status_code=code, detail=detail)


class UsageIngestion:
    def __init__(
        self, transactions: Transactions, clock: Clock, metrics: MetricCatalogue, window: IngestWindow | None = None
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._metrics = metrics
        self._window = window or IngestWindow()

    async def ingest(self, raws: Sequence[RawUsageEvent | UsageEventIn], caller: Caller) -> UsageBatchReceipt:
        bounds = self._window.bounds(self._clock.now())
        results: list[UsageEventResult | None] = [None] * len(raws)
        valid: dict[Key, UsageEvent] = {}
        pending: list[tuple[int, Key, bytes]] = []
        for index, raw in enumerate(raws):
            try:
                event = validated_event(raw, caller, bounds, self._metrics)
            except EventRejected as exc:
                results[index] = _result(_event_id(raw), "invalid", 422, f"{exc.field}: {exc.detail}")
                continue
            except PermissionError as exc:
                results[index] = _result(_event_id(raw), "forbidden", 403, str(exc))
                continue
            key = (event.user_id.int, event.event_id)
            valid.setdefault(key, event)
            pending.append((index, key, event.payload_hash))
        parks = caller.user_id is None and len(pending) < len(raws)
        if valid or parks:
            async with self._tx() as tx:
                inserted, existing = await tx.usage.insert(list(valid.values())) if valid else ([], {})
                await self._follow_up(tx, inserted)
                self._judge(pending, valid, inserted, existing, results)
                if caller.user_id is None:
                    await self._park(tx, raws, results, caller.source)
        final = [r for r in results if r is not None]
        accepted = sum(r.status_code == 202 for r in final)
        duplicates = sum(r.status_code == 200 for r in final)
        return UsageBatchReceipt(
            results=final, accepted=accepted, duplicates=duplicates, rejected=len(final) - accepted - duplicates
        )

    @staticmethod
    def _judge(
        pending: list[tuple[int, Key, bytes]],
        valid: dict[Key, UsageEvent],
        new: list[tuple[uuid.UUID, str]],
        existing: dict[tuple[uuid.UUID, str], bytes],
        results: list[UsageEventResult | None],
    ) -> None:
        """Accepted the first time a new key appears; then a duplicate or a conflict by payload."""
        if len(new) == len(valid) == len(pending):  # the common case: every event new, once
            for index, key, _ in pending:
                results[index] = _result(key[1], "accepted", 202)
            return
        inserted = {(u.int, e) for u, e in new}
        stored = {(u.int, e): digest for (u, e), digest in existing.items()}
        first_seen: set[Key] = set()
        for index, key, digest in pending:
            if key in inserted and key not in first_seen:
                first_seen.add(key)
                results[index] = _result(key[1], "accepted", 202)
            elif stored.get(key, valid[key].payload_hash) == digest:
                results[index] = _result(key[1], "duplicate", 200)
            else:
                results[index] = _result(key[1], "conflict", 409, "event_id was already used with another payload")

    @staticmethod
    async def _park(
        tx: Transaction,
        raws: Sequence[RawUsageEvent | UsageEventIn],
        results: list[UsageEventResult | None],
        source: str,
    ) -> None:
        """A service's refused events are parked with their reason (see :mod:`.parking`), in the
        transaction of the batch: answered refused, they are never lost."""
        refused = [(i, r) for i, r in enumerate(results) if r is not None and r.status_code >= 400]
        if not refused:
            return
        await tx.parked.park([parked_event(source, raws[i], r) for i, r in refused])
        for index, result in refused:
            results[index] = msgspec.structs.replace(result, parked=True)

    async def _follow_up(self, tx: Transaction, inserted: list[tuple[uuid.UUID, str]]) -> None:
        if not inserted:
            return
        await tx.outbox.enqueue(PUSH_METER_EVENTS, [msgspec.json.encode(MeterPush(keys=inserted))])
        users = list({user.int: user for user, _ in inserted}.values())
        with_budget = await tx.budgets.owners_among(users)
        if with_budget:
            await tx.outbox.enqueue(CHECK_BUDGET, [msgspec.json.encode(BudgetCheck(user_id=u)) for u in with_budget])


def _event_id(raw: RawUsageEvent | UsageEventIn) -> str:
    return raw.event_id if isinstance(raw.event_id, str) else ""
