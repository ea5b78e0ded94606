"""The inference log in PostgreSQL: batched writes (with their usage events, one transaction) and reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg
from sqlalchemy import Date, Row, cast, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.contracts.usage import UsageEventIn
from mlp.common.runtime.database import raw_connection_in_transaction
from mlp.registry.adapters.db.cursors import decode_cursor, encode_cursor
from mlp.registry.adapters.db.tables_serving import deployments, inference_requests
from mlp.registry.application.serving_ports import EventOutbox, InferenceFilter, InferencePage
from mlp.registry.domain.inference import DailyStats, InferenceRecord

_i = inference_requests.c
_COLUMNS = tuple(field.name for field in fields(InferenceRecord))
_EXISTING = f"SELECT id FROM {deployments.schema}.{deployments.name} WHERE id = ANY($1::uuid[])"


class SqlInferenceLogWriter:
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], EventOutbox]) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory

    async def write(self, batch: Sequence[tuple[InferenceRecord, Sequence[UsageEventIn]]]) -> None:
        """Calls of deployments purged meanwhile (their user was deleted) are dropped, usage included.

        COPY, because a batch is written while calls wait on the same event loop and an INSERT of
        hundreds of rows spends tens of milliseconds in SQLAlchemy's parameter handling. A batch
        already written once (its commit's answer was lost, so it is retried) is written again
        with INSERT ... ON CONFLICT DO NOTHING; billing deduplicates its usage events."""
        try:
            await self._write(batch, copy=True)
        except asyncpg.UniqueViolationError:
            await self._write(batch, copy=False)

    async def _write(self, batch: Sequence[tuple[InferenceRecord, Sequence[UsageEventIn]]], copy: bool) -> None:
        async with self._engine.begin() as conn:
            raw = await raw_connection_in_transaction(conn)
            wanted = list({record.deployment_id for record, _ in batch})
            existing = {row[0] for row in await raw.fetch(_EXISTING, wanted)}
            kept = [record for record, _ in batch if record.deployment_id in existing]
            if kept and copy:
                records = [tuple(getattr(record, name) for name in _COLUMNS) for record in kept]
                table, schema = inference_requests.name, inference_requests.schema
                await raw.copy_records_to_table(table, schema_name=schema, columns=_COLUMNS, records=records)
            elif kept:
                rows = [{name: getattr(record, name) for name in _COLUMNS} for record in kept]
                await conn.execute(insert(inference_requests).on_conflict_do_nothing(index_elements=[_i.id]), rows)
            events = [event for record, usage in batch if record.deployment_id in existing for event in usage]
            if events:
                await self._outbox_factory(conn).usage(events)


def to_record(row: Row[Any]) -> InferenceRecord:
    return InferenceRecord(
        id=row.id,
        request_id=row.request_id,
        user_id=row.user_id,
        deployment_id=row.deployment_id,
        model_version_id=row.model_version_id,
        api_key_id=row.api_key_id,
        endpoint=row.endpoint,
        stream=row.stream,
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        upstream_latency_ms=row.upstream_latency_ms,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        error=row.error,
        created_at=row.created_at,
        upstream_prompt_tokens=row.upstream_prompt_tokens,
        upstream_completion_tokens=row.upstream_completion_tokens,
        attempt=row.attempt,
        fallback_from=row.fallback_from,
    )


class SqlInferenceLogReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(self, user_id: uuid.UUID, filters: InferenceFilter, limit: int, cursor: str | None) -> InferencePage:
        query = select(inference_requests).where(_i.user_id == user_id)
        if filters.deployment_id is not None:
            query = query.where(_i.deployment_id == filters.deployment_id)
        if filters.model_version_id is not None:
            query = query.where(_i.model_version_id == filters.model_version_id)
        if filters.status == "success":
            query = query.where(_i.status_code < 400)
        elif filters.status == "error":
            query = query.where(_i.status_code >= 400)
        if filters.since is not None:
            query = query.where(_i.created_at >= filters.since)
        if filters.until is not None:
            query = query.where(_i.created_at < filters.until)
        if cursor:
            query = query.where(tuple_(_i.created_at, _i.id) < tuple_(*decode_cursor(cursor)))
        query = query.order_by(_i.created_at.desc(), _i.id.desc()).limit(limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        items = [to_record(r) for r in rows[:limit]]
        more = len(rows) > limit
        return InferencePage(items, encode_cursor(items[-1].created_at, items[-1].id) if more else None)

    async def daily_stats(
        self, user_id: uuid.UUID, deployment_id: uuid.UUID | None, since: date, until: date
    ) -> list[DailyStats]:
        day = cast(func.timezone("UTC", _i.created_at), Date).label("day")
        query = (
            select(
                _i.deployment_id,
                _i.model_version_id,
                day,
                func.count().label("requests"),
                func.count().filter(_i.status_code >= 400).label("errors"),
                func.percentile_cont(0.5).within_group(_i.latency_ms).label("p50"),
                func.percentile_cont(0.95).within_group(_i.latency_ms).label("p95"),
                func.coalesce(func.sum(_i.prompt_tokens), 0).label("prompt_tokens"),
                func.coalesce(func.sum(_i.completion_tokens), 0).label("completion_tokens"),
            )
            .where(
                _i.user_id == user_id,
                _i.created_at >= datetime.combine(since, time.min, UTC),
                _i.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC),
            )
            .group_by(_i.deployment_id, _i.model_version_id, day)
            .order_by(day, _i.deployment_id, _i.model_version_id)
        )
        if deployment_id is not None:
            query = query.where(_i.deployment_id == deployment_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            DailyStats(
                r.deployment_id,
                r.model_version_id,
                r.day,
                r.requests,
                r.errors,
                r.p50,
                r.p95,
                int(r.prompt_tokens),
                int(r.completion_tokens),
            )
            for r in rows
        ]
