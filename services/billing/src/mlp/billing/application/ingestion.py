"""Usage ingestion: validate each event on its own, store the new ones with their aggregates, say what became of each.

Per event: an unknown metric, a bad quantity or a timestamp outside the window is a 422; an
event for another user sent with a user's credential is a 403; an id already stored with the
same payload is a duplicate (accepted again, counted once), with another payload a 409. The new
events, their daily aggregates and the follow-up jobs (meter events for Stripe, budget checks)
commit together, so a crash loses nothing acknowledged and a retry counts nothing twice.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from mlp.billing.application.jobs import CHECK_BUDGET, PUSH_METER_EVENTS, BudgetCheck, MeterPush
from mlp.billing.application.ports import Clock, Transaction, Transactions
from mlp.billing.domain.usage import (
    EventRejected,
    IngestWindow,
    UsageEvent,
    check_metric,
    check_timestamp,
    parse_quantity,
)
from mlp.common.contracts.usage import METRICS, UsageBatchReceipt, UsageEventIn, UsageEventResult
from mlp.common.runtime.storable_text import UNSTORABLE

Key = tuple[int, str]
"""(user id as an int, event id): hashing ``uuid.UUID`` objects is Python code, per event, several times."""

MAX_PROPERTIES_BYTES = 4096
"""Bound of an event's properties, encoded as JSON."""

_encode = msgspec.json.Encoder(order="sorted").encode


def _timestamp(raw: object) -> datetime:
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw)) if isinstance(raw, str) else _not_a_time()
    except ValueError:
        return _not_a_time()


def _not_a_time() -> datetime:
    raise EventRejected("timestamp", "timestamp is not an RFC 3339 date-time")


@dataclass(frozen=True, slots=True)
class RawUsageEvent:
    """An event as received, before any rule is checked (fields may be missing or of any type)."""

    event_id: Any = None
    user_id: Any = None
    metric: Any = None
    quantity: Any = None
    timestamp: Any = None
    properties: Any = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Caller:
    """A platform service may report any user's usage; a user only their own."""

    user_id: uuid.UUID | None


def _result(event_id: str, status: str, code: int, detail: str | None = None) -> UsageEventResult:
    return UsageEventResult(event_id=event_id, status=status, status_code=code, detail=detail)


class UsageIngestion:
    def __init__(self, transactions: Transactions, clock: Clock, window: IngestWindow | None = None) -> None:
        self._tx = transactions
        self._clock = clock
        self._window = window or IngestWindow()

    def _validate(
        self, raw: RawUsageEvent | UsageEventIn, caller: Caller, bounds: tuple[datetime, datetime]
    ) -> UsageEvent:
        if isinstance(raw, UsageEventIn):  # decoded strictly: types and lengths already hold
            user_id, timestamp = raw.user_id, raw.timestamp
        else:
            if not isinstance(raw.event_id, str) or not 1 <= len(raw.event_id) <= 128:
                raise EventRejected("event_id", "event_id is a string of 1 to 128 characters")
            try:
                user_id = uuid.UUID(str(raw.user_id))
            except ValueError:
                raise EventRejected("user_id", "user_id is not a UUID") from None
            timestamp = _timestamp(raw.timestamp)
        if UNSTORABLE.search(str(raw.event_id)):
            raise EventRejected("event_id", "event_id holds a NUL or a lone surrogate")
        metric = check_metric(raw.metric, METRICS)
        quantity = parse_quantity(raw.quantity)
        occurred_at = check_timestamp(timestamp, bounds)
        properties = raw.properties if raw.properties is not None else {}
        if not isinstance(properties, dict):
            raise EventRejected("properties", "properties is an object")
        try:
            encoded = _encode(properties)
        except (UnicodeEncodeError, TypeError):
            raise EventRejected("properties", "properties hold a lone surrogate or a value JSON cannot carry") from None
        if b"\\u0000" in encoded:  # PostgreSQL's jsonb cannot store a NUL
            raise EventRejected("properties", "properties hold a NUL character")
        if len(encoded) > MAX_PROPERTIES_BYTES:
            raise EventRejected("properties", f"properties is an object of at most {MAX_PROPERTIES_BYTES} bytes")
        if caller.user_id is not None and user_id != caller.user_id:
            raise PermissionError("a user credential reports only its own user's usage")
        canonical = f"{metric}|{quantity}|{occurred_at.isoformat()}|".encode() + encoded
        digest = hashlib.sha256(canonical).digest()
        return UsageEvent(user_id, str(raw.event_id), metric, quantity, occurred_at, encoded.decode(), digest)

    async def ingest(self, raws: Sequence[RawUsageEvent | UsageEventIn], caller: Caller) -> UsageBatchReceipt:
        bounds = self._window.bounds(self._clock.now())
        results: list[UsageEventResult | None] = [None] * len(raws)
        valid: dict[Key, UsageEvent] = {}
        pending: list[tuple[int, Key, bytes]] = []
        for index, raw in enumerate(raws):
            try:
                event = self._validate(raw, caller, bounds)
            except EventRejected as exc:
                results[index] = _result(_event_id(raw), "invalid", 422, f"{exc.field}: {exc.detail}")
                continue
            except PermissionError as exc:
                results[index] = _result(_event_id(raw), "forbidden", 403, str(exc))
                continue
            key = (event.user_id.int, event.event_id)
            valid.setdefault(key, event)
            pending.append((index, key, event.payload_hash))
        inserted: list[tuple[uuid.UUID, str]] = []
        existing: dict[tuple[uuid.UUID, str], bytes] = {}
        if valid:
            async with self._tx() as tx:
                inserted, existing = await tx.usage.insert(list(valid.values()))
                await self._follow_up(tx, inserted)
        if len(inserted) == len(valid) == len(pending):  # the common case: every event new, once
            for index, key, _ in pending:
                results[index] = _result(key[1], "accepted", 202)
        else:
            self._judge(pending, valid, {(u.int, e) for u, e in inserted}, existing, results)
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
        inserted: set[Key],
        existing: dict[tuple[uuid.UUID, str], bytes],
        results: list[UsageEventResult | None],
    ) -> None:
        """Accepted the first time a new key appears; then a duplicate or a conflict by payload."""
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

    async def _follow_up(self, tx: Transaction, inserted: list[tuple[uuid.UUID, str]]) -> None:
        if not inserted:
            return
        await tx.outbox.enqueue(PUSH_METER_EVENTS, [_encode(MeterPush(keys=inserted))])
        users = list({user.int: user for user, _ in inserted}.values())
        with_budget = await tx.budgets.owners_among(users)
        if with_budget:
            await tx.outbox.enqueue(CHECK_BUDGET, [_encode(BudgetCheck(user_id=u)) for u in with_budget])


def _event_id(raw: RawUsageEvent | UsageEventIn) -> str:
    return raw.event_id if isinstance(raw.event_id, str) else ""
