"""identity's transactional outbox: pgqueuer jobs in the ``identity`` schema, written in the caller's transaction.

``announce_user_deleted`` inserts one ``deliver_user_deleted`` job per subscriber service on the
very connection (and transaction) of the business change, so the jobs commit or roll back with
it. There is no outbox table or polling loop of our own: pgqueuer's queue is the outbox, and the
relay (``mlp worker identity``, :mod:`mlp.identity.worker`) is a pgqueuer worker that delivers
each job over HTTP and retries it until the subscriber acknowledges.

The queue's objects live in schema ``identity`` (installed by migration 0003 with
``Queries.install``); its NOTIFY channel is named after the service, since channels are global to
the database and other services may run queues of their own in the same database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

import asyncpg
import msgspec
from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment, QueryQueueBuilder, QuerySchedulerBuilder
from pgqueuer.db import AsyncpgDriver, Driver
from pgqueuer.domain.models import Job, TableChangedEvent, TracebackRecord
from pgqueuer.domain.settings import DBSettings, Durability
from pgqueuer.domain.types import Channel
from pgqueuer.queries import Queries
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import USER_DELETED_KIND, UserDeleted
from mlp.identity.adapters.db.tables import SCHEMA

DELIVER_USER_DELETED = "deliver_user_deleted"
"""The pgqueuer entrypoint of a ``user.deleted`` delivery to one subscriber."""

QUEUE_TABLES = ("pgqueuer", "pgqueuer_log", "pgqueuer_schedules", "pgqueuer_statistics")
"""pgqueuer's tables in schema ``identity``: migrations own them, the SQLAlchemy metadata does not."""

_SUBSCRIBER_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def queue_settings() -> DBSettings:
    """The names of identity's pgqueuer objects, all given explicitly (no ``PGQUEUER_*`` env var moves them)."""
    return DBSettings(
        prefix="",
        db_schema=SCHEMA,
        channel=Channel(f"{SCHEMA}_pgqueuer"),
        function="fn_pgqueuer_changed",
        statistics_table="pgqueuer_statistics",
        queue_status_type="pgqueuer_status",
        queue_table="pgqueuer",
        queue_table_log="pgqueuer_log",
        trigger="tg_pgqueuer_changed",
        schedules_table="pgqueuer_schedules",
        durability=Durability.durable,
    )


class RetryWakingQueries(Queries):
    """pgqueuer's queries, plus a NOTIFY when a job is re-queued for a retry.

    pgqueuer's trigger is statement-level, so it notifies inserts and deletes but not updates,
    and a retry is an UPDATE of the job: idle workers would only see it at their next poll
    (``dequeue_timeout``), whatever the backoff asked. The notification wakes them, and they
    sleep until the retry is due.
    """

    async def retry_job(self, job: Job, delay: timedelta, traceback_record: TracebackRecord | None) -> None:
        await super().retry_job(job, delay, traceback_record)
        settings = self.qbe.settings
        woken = TableChangedEvent(
            channel=settings.channel,
            sent_at=datetime.now(UTC),
            type="table_changed_event",
            operation="update",
            table=settings.queue_table,
        )
        await self.driver.notify(settings.channel, woken.model_dump_json())


def outbox_queries(driver: Driver) -> Queries:
    """pgqueuer's queries over ``driver``, on identity's queue."""
    settings = queue_settings()
    return RetryWakingQueries(
        driver,
        qbe=QueryBuilderEnvironment(settings),
        qbq=QueryQueueBuilder(settings),
        qbs=QuerySchedulerBuilder(settings),
    )


class UserDeletedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """A job's payload: deliver ``event`` to the subscriber service named ``service``."""

    service: str
    event: UserDeleted


def parse_subscribers(spec: str) -> dict[str, str]:
    """``"registry=http://h:8002,billing=http://h:8004"`` -> ``{name: base URL}``."""
    subscribers: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, url = (piece.strip() for piece in entry.partition("="))
        if not sep or not _SUBSCRIBER_NAME.match(name) or not url.startswith(("http://", "https://")):
            raise ValueError(f"subscriber {entry!r} is not 'name=http(s)://host:port'")
        if name in subscribers:
            raise ValueError(f"subscriber {name!r} is listed twice")
        subscribers[name] = url.rstrip("/")
    return subscribers


class PgQueuerOutbox:
    """The ``Outbox`` port over pgqueuer, bound to one SQLAlchemy connection inside a transaction."""

    def __init__(self, connection: AsyncConnection, subscribers: Sequence[str]) -> None:
        self._connection = connection
        self._subscribers = tuple(subscribers)

    async def announce_user_deleted(self, event: UserDeleted) -> None:
        if not self._subscribers:
            return
        queries = outbox_queries(AsyncpgDriver(await self._raw_connection_in_transaction()))
        count = len(self._subscribers)
        await queries.enqueue(
            [DELIVER_USER_DELETED] * count,
            [msgspec.json.encode(UserDeletedDelivery(service=s, event=event)) for s in self._subscribers],
            [0] * count,
            # a retried announcement of the same event queues no second job while one is pending
            dedupe_key=[f"{USER_DELETED_KIND}:{event.event_id}:{s}" for s in self._subscribers],
            on_conflict="skip",
        )

    async def _raw_connection_in_transaction(self) -> asyncpg.Connection:
        if not self._connection.in_transaction():
            raise RuntimeError("the outbox writes in the caller's transaction: begin one first")
        raw = cast(asyncpg.Connection, (await self._connection.get_raw_connection()).driver_connection)
        if not raw.is_in_transaction():
            # SQLAlchemy's asyncpg dialect sends BEGIN lazily, with the first statement; without
            # one yet, the job would be written outside the transaction (and survive a rollback).
            await self._connection.execute(text("SELECT 1"))
        return raw


def outbox_factory(subscribers: Sequence[str]) -> Callable[[AsyncConnection], PgQueuerOutbox]:
    """What a unit of work takes: the outbox of each transaction's connection."""
    names = tuple(subscribers)
    return lambda connection: PgQueuerOutbox(connection, names)
