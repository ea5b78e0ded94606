"""The outbox adapter on real PostgreSQL: its jobs commit or roll back with the business rows.

A database of its own (identity migrated to head), so no running worker consumes the jobs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.contracts.events import UserDeleted
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.identity.adapters.outbox import (
    DELIVER_USER_DELETED,
    PgQueuerOutbox,
    UserDeletedDelivery,
    parse_subscribers,
)

SUBSCRIBERS = ["registry", "evaluation", "billing"]


@pytest.fixture
async def engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade_to_head, "mlp.identity", empty_database_url)
    engine = create_engine(empty_database_url, pool_size=2)
    yield engine
    await engine.dispose()


def user_deleted() -> UserDeleted:
    return UserDeleted(event_id=uuid.uuid4(), user_id=uuid.uuid4(), deleted_at=datetime.now(UTC))


class QueuedJob(NamedTuple):
    entrypoint: str
    status: str
    delivery: UserDeletedDelivery


async def queued_deliveries(engine: AsyncEngine) -> list[QueuedJob]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT entrypoint, status::text, payload FROM identity.pgqueuer ORDER BY id"))
        return [QueuedJob(r[0], r[1], msgspec.json.decode(r[2], type=UserDeletedDelivery)) for r in rows]


async def insert_user(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    await conn.execute(
        text("INSERT INTO identity.users (id, firebase_uid) VALUES (:id, :uid)"),
        {"id": user_id, "uid": f"fb-{user_id}"},
    )


async def test_rolled_back_announcement_enqueues_nothing(engine: AsyncEngine) -> None:
    event = user_deleted()
    async with engine.connect() as conn:
        await conn.begin()
        # the announcement is the transaction's first statement: BEGIN must still precede it
        await PgQueuerOutbox(conn, SUBSCRIBERS).announce_user_deleted(event)
        await insert_user(conn, event.user_id)
        await conn.rollback()

    assert await queued_deliveries(engine) == []
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM identity.users")) == 0


async def test_committed_announcement_enqueues_one_job_per_subscriber(engine: AsyncEngine) -> None:
    event = user_deleted()
    async with engine.begin() as conn:
        await insert_user(conn, event.user_id)
        await PgQueuerOutbox(conn, SUBSCRIBERS).announce_user_deleted(event)

    jobs = await queued_deliveries(engine)
    assert [job.delivery.service for job in jobs] == SUBSCRIBERS
    assert all(job.delivery.event == event for job in jobs)
    assert {(job.entrypoint, job.status) for job in jobs} == {(DELIVER_USER_DELETED, "queued")}
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM identity.users")) == 1


async def test_announcing_the_same_event_again_queues_no_second_job(engine: AsyncEngine) -> None:
    event = user_deleted()
    for _ in range(2):
        async with engine.begin() as conn:
            await PgQueuerOutbox(conn, SUBSCRIBERS).announce_user_deleted(event)

    assert len(await queued_deliveries(engine)) == len(SUBSCRIBERS)


async def test_announcing_outside_a_transaction_is_refused(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            await PgQueuerOutbox(conn, SUBSCRIBERS).announce_user_deleted(user_deleted())
    assert await queued_deliveries(engine) == []


def test_subscribers_are_parsed_from_name_equals_url() -> None:
    assert parse_subscribers(" registry=http://h:8002/ , billing=https://b.example ") == {
        "registry": "http://h:8002",
        "billing": "https://b.example",
    }
    assert parse_subscribers("") == {}
    for bad in ("registry", "registry=ftp://h", "Registry=http://h", "a=http://h,a=http://i"):
        with pytest.raises(ValueError, match="subscriber"):
            parse_subscribers(bad)
