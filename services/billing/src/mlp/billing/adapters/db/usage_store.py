"""The PostgreSQL usage store: events and their daily aggregates, written by one statement per batch.

``insert`` sends the batch as arrays (``unnest``): the events whose (user, id) is new are
inserted, each priced by the book in force at its timestamp (the user's own, else the default;
the few books of the batch's users are read once, then matched in memory),
and the same statement adds them to ``usage_daily`` per (user, day, metric, book) in the shard of
its connection (concurrent batches do not queue on the same rows), in key order so they never
deadlock. Summaries read ``usage_daily`` only, never the raw events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.domain.rating import DailyUsage
from mlp.billing.domain.stripe_objects import MeterEvent
from mlp.billing.domain.usage import UsageEvent
from mlp.common.runtime.database import raw_connection

INSERT_BATCH = """
WITH input AS (
    SELECT *, $8::text AS source
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::timestamptz[], $6::text[], $7::bytea[])
        AS t(user_id, event_id, metric, quantity, occurred_at, properties, payload_hash)
), books AS MATERIALIZED (
    SELECT id, user_id, effective_from, effective_to FROM billing.price_books
    WHERE user_id IS NULL OR user_id = ANY($1::uuid[])
), priced AS (
    SELECT i.*, COALESCE(book.id, '00000000-0000-0000-0000-000000000000'::uuid) AS price_book_id
    FROM input i
    LEFT JOIN LATERAL (
        SELECT b.id FROM books b
        WHERE (b.user_id = i.user_id OR b.user_id IS NULL)
          AND b.effective_from <= i.occurred_at AND (b.effective_to IS NULL OR i.occurred_at < b.effective_to)
        ORDER BY b.user_id NULLS LAST LIMIT 1
    ) book ON true
), inserted AS (
    INSERT INTO billing.usage_events
        (user_id, event_id, source, metric, quantity, occurred_at, properties, payload_hash, price_book_id)
    SELECT user_id, event_id, source, metric, quantity, occurred_at, properties::jsonb, payload_hash, price_book_id
    FROM priced ORDER BY user_id, event_id
    ON CONFLICT DO NOTHING
    RETURNING user_id, event_id, metric, quantity, occurred_at, price_book_id
), aggregated AS (
    INSERT INTO billing.usage_daily (user_id, day, metric, price_book_id, shard, quantity, events)
    SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, metric, price_book_id, pg_backend_pid() % 16,
           sum(quantity), count(*)
    FROM inserted GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (user_id, day, metric, price_book_id, shard) DO UPDATE
        SET quantity = usage_daily.quantity + EXCLUDED.quantity, events = usage_daily.events + EXCLUDED.events
)
SELECT user_id, event_id FROM inserted
"""

EXISTING = """
SELECT e.user_id, e.event_id, e.payload_hash FROM billing.usage_events e
JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, event_id) USING (user_id, event_id)
WHERE e.source = $3
"""


class SqlUsageStore:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _raw(self) -> asyncpg.Connection:
        return await raw_connection(self._connection)

    async def insert(
        self, events: Sequence[UsageEvent]
    ) -> tuple[list[tuple[uuid.UUID, str]], dict[tuple[uuid.UUID, str], bytes]]:
        """Events of one source (one caller's batch)."""
        raw = await self._raw()
        source = events[0].source
        rows = await raw.fetch(
            INSERT_BATCH,
            [e.user_id for e in events],
            [e.event_id for e in events],
            [e.metric for e in events],
            [e.quantity for e in events],
            [e.occurred_at for e in events],
            [e.properties_json for e in events],
            [e.payload_hash for e in events],
            source,
        )
        inserted = [(r["user_id"], r["event_id"]) for r in rows]
        existing: dict[tuple[uuid.UUID, str], bytes] = {}
        if len(inserted) < len(events):
            new = {(u.int, e) for u, e in inserted}
            others = [e for e in events if (e.user_id.int, e.event_id) not in new]
            found = await raw.fetch(EXISTING, [e.user_id for e in others], [e.event_id for e in others], source)
            existing = {(r["user_id"], r["event_id"]): bytes(r["payload_hash"]) for r in found}
        return inserted, existing

    async def daily(self, user_id: uuid.UUID, start: date, end: date) -> list[DailyUsage]:
        rows = await (await self._raw()).fetch(
            "SELECT day, metric, price_book_id, sum(quantity) AS quantity, sum(events)::bigint AS events"
            " FROM billing.usage_daily WHERE user_id = $1 AND day >= $2 AND day < $3 GROUP BY 1, 2, 3",
            user_id,
            start,
            end,
        )
        return [DailyUsage(r["day"], r["metric"], r["price_book_id"], r["quantity"], r["events"]) for r in rows]

    async def event(self, user_id: uuid.UUID, event_id: str, source: str | None) -> dict[str, Any] | None:
        """The event of ``source``; without one, the platform's before the user's own."""
        row = await (await self._raw()).fetchrow(
            "SELECT event_id, source, metric, quantity, occurred_at, received_at, price_book_id, stripe_pushed_at"
            " FROM billing.usage_events WHERE user_id = $1 AND event_id = $2 AND ($3::text IS NULL OR source = $3)"
            " ORDER BY source = 'user', source LIMIT 1",
            user_id,
            event_id,
            source,
        )
        return dict(row) if row is not None else None

    async def unpushed(self, keys: Sequence[tuple[uuid.UUID, str]]) -> list[MeterEvent]:
        rows = await (await self._raw()).fetch(
            "SELECT e.user_id, e.event_id, e.metric, e.quantity, e.occurred_at, e.source FROM billing.usage_events e"
            " JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, event_id) USING (user_id, event_id)"
            " WHERE e.stripe_pushed_at IS NULL AND e.price_book_id <> '00000000-0000-0000-0000-000000000000'"
            " ORDER BY e.user_id, e.event_id, e.source",
            [k[0] for k in keys],
            [k[1] for k in keys],
        )
        return [
            MeterEvent(r["user_id"], r["event_id"], r["metric"], r["quantity"], r["occurred_at"], r["source"])
            for r in rows
        ]

    async def mark_pushed(self, keys: Sequence[tuple[uuid.UUID, str, str]]) -> None:
        await (await self._raw()).execute(
            "UPDATE billing.usage_events e SET stripe_pushed_at = now()"
            " FROM unnest($1::uuid[], $2::text[], $3::text[]) AS k(user_id, source, event_id)"
            " WHERE e.user_id = k.user_id AND e.event_id = k.event_id AND e.source = k.source",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
        )

    async def users_with_usage(self, start: date, end: date) -> list[uuid.UUID]:
        rows = await (await self._raw()).fetch(
            "SELECT DISTINCT user_id FROM billing.usage_daily WHERE day >= $1 AND day < $2 ORDER BY user_id",
            start,
            end,
        )
        return [r["user_id"] for r in rows]

    async def purge_user(self, user_id: uuid.UUID) -> int:
        raw = await self._raw()
        await raw.execute("DELETE FROM billing.usage_daily WHERE user_id = $1", user_id)
        status = await raw.execute("DELETE FROM billing.usage_events WHERE user_id = $1", user_id)
        return int(status.split()[-1])
