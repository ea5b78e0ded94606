"""The inference log's SQL writer with the real outbox: rows and usage jobs commit (or roll back) together."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from registry_fakes import inference_record as record
from serving_helpers import add_model_version, usage_jobs
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.common.runtime.database import create_engine
from mlp.registry.adapters.db.inference_log import SqlInferenceLogWriter
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.db.tables_serving import deployments
from mlp.registry.application.inference_usage import usage_events
from mlp.registry.application.serving_ports import EventOutbox


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


async def logged_ids(engine: AsyncEngine, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT id FROM registry.inference_requests WHERE id = ANY(:ids)"), {"ids": ids})
        return [row.id for row in rows]


async def a_deployment(engine: AsyncEngine) -> uuid.UUID:
    user_id = uuid.uuid4()
    version_id = await add_model_version(engine, user_id)
    async with engine.begin() as conn:
        model_id = (
            await conn.execute(text("SELECT model_id FROM registry.model_versions WHERE id = :v"), {"v": version_id})
        ).scalar_one()
        created = await conn.execute(
            insert(deployments)
            .values(
                user_id=user_id,
                name="logged",
                kind="openai-chat",
                model_id=model_id,
                model_version_id=version_id,
                model_version=1,
                upstream_url="http://models.internal/v1",
                connect_timeout_seconds=1,
                timeout_seconds=1,
            )
            .returning(deployments.c.id)
        )
        return uuid.UUID(str(created.scalar_one()))


async def test_rows_and_usage_jobs_are_written_in_one_transaction(engine: AsyncEngine) -> None:
    deployment_id = await a_deployment(engine)
    records = [record(deployment_id=deployment_id), record(2, 7, deployment_id=deployment_id)]
    usage = [e for r in records for e in usage_events(r)]
    await SqlInferenceLogWriter(engine, registry_outbox).write([(r, usage_events(r)) for r in records])
    assert sorted(await logged_ids(engine, [r.id for r in records])) == sorted(r.id for r in records)
    ids = {e.event_id for e in usage}
    queued = [e for e in await usage_jobs(engine) if e.event_id in ids]
    assert sorted((e.event_id, int(e.quantity)) for e in queued) == sorted((e.event_id, int(e.quantity)) for e in usage)

    # a redelivered batch (a flush retried after a lost commit acknowledgement) adds no row
    await SqlInferenceLogWriter(engine, registry_outbox).write([(r, []) for r in records])
    assert len(await logged_ids(engine, [r.id for r in records])) == 2


async def test_calls_of_a_purged_deployment_are_dropped_with_their_usage(engine: AsyncEngine) -> None:
    late = record()  # its deployment is gone (the user was deleted while the call was buffered)
    await SqlInferenceLogWriter(engine, registry_outbox).write([(late, usage_events(late))])
    assert await logged_ids(engine, [late.id]) == []
    assert not [e for e in await usage_jobs(engine) if e.event_id.startswith(f"inference:{late.id}")]


class BrokenOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        raise AssertionError("not used")

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        raise ConnectionError("queue unavailable")


async def test_a_failed_usage_enqueue_rolls_the_rows_back(engine: AsyncEngine) -> None:
    records = [record(deployment_id=await a_deployment(engine))]

    def broken(conn: AsyncConnection) -> EventOutbox:
        return BrokenOutbox(conn)

    with pytest.raises(ConnectionError):
        await SqlInferenceLogWriter(engine, broken).write([(records[0], usage_events(records[0]))])
    assert await logged_ids(engine, [records[0].id]) == []
