"""The inference log's SQL writer with the real outbox: rows and usage jobs commit (or roll back) together."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from fakes import inference_record as record
from serving_helpers import usage_jobs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.common.runtime.database import create_engine
from mlp.registry.adapters.db.inference_log import SqlInferenceLogWriter
from mlp.registry.application.inference_usage import usage_events
from mlp.registry.application.serving_ports import EventOutbox
from mlp.registry.serving_wiring import registry_outbox


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


async def logged_ids(engine: AsyncEngine, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT id FROM registry.inference_requests WHERE id = ANY(:ids)"), {"ids": ids})
        return [row.id for row in rows]


async def test_rows_and_usage_jobs_are_written_in_one_transaction(engine: AsyncEngine) -> None:
    records = [record(), record(2, 7)]
    usage = [e for r in records for e in usage_events(r)]
    await SqlInferenceLogWriter(engine, registry_outbox).write(records, usage)
    assert sorted(await logged_ids(engine, [r.id for r in records])) == sorted(r.id for r in records)
    ids = {e.event_id for e in usage}
    queued = [e for e in await usage_jobs(engine) if e.event_id in ids]
    assert sorted((e.event_id, int(e.quantity)) for e in queued) == sorted((e.event_id, int(e.quantity)) for e in usage)

    # a redelivered batch (a flush retried after a lost commit acknowledgement) adds no row
    await SqlInferenceLogWriter(engine, registry_outbox).write(records, [])
    assert len(await logged_ids(engine, [r.id for r in records])) == 2


class BrokenOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        raise AssertionError("not used")

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        raise ConnectionError("queue unavailable")


async def test_a_failed_usage_enqueue_rolls_the_rows_back(engine: AsyncEngine) -> None:
    records = [record()]

    def broken(conn: AsyncConnection) -> EventOutbox:
        return BrokenOutbox(conn)

    with pytest.raises(ConnectionError):
        await SqlInferenceLogWriter(engine, broken).write(records, usage_events(records[0]))
    assert await logged_ids(engine, [records[0].id]) == []
