"""Each service's Postgres-backed job queue: pgqueuer's tables in the service's own schema.

The queue is both the transactional outbox (jobs written in the business transaction, see
:mod:`mlp.common.runtime.outbox`) and the work queue of a service's workers (eval runs, tune
jobs, webhook processing): one mechanism, written once, run by ``mlp worker <service>``
(:mod:`mlp.common.runtime.worker`). Its NOTIFY channel is named after the schema, since
channels are global to a database that several services may share.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment, QueryQueueBuilder, QuerySchedulerBuilder
from pgqueuer.db import Driver
from pgqueuer.domain.models import Job, TableChangedEvent, TracebackRecord
from pgqueuer.domain.settings import DBSettings, Durability
from pgqueuer.domain.types import Channel
from pgqueuer.queries import Queries

QUEUE_TABLES = ("pgqueuer", "pgqueuer_log", "pgqueuer_schedules", "pgqueuer_statistics")
"""pgqueuer's tables in a service's schema: migrations own them, the SQLAlchemy metadata does not."""


@cache
def queue_settings(schema: str) -> DBSettings:
    """The names of a service's pgqueuer objects, all explicit (no ``PGQUEUER_*`` env var moves them).

    Made once per schema: building pydantic settings reads the environment and a ``.env`` file,
    which cost a third of the CPU of a write that enqueues an audit event."""
    return DBSettings(
        prefix="",
        db_schema=schema,
        channel=Channel(f"{schema}_pgqueuer"),
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


def queue_queries(driver: Driver, schema: str) -> Queries:
    """pgqueuer's queries over ``driver``, on the queue of ``schema`` (its query builders are shared)."""
    qbe, qbq, qbs = _query_builders(schema)
    return RetryWakingQueries(driver, qbe=qbe, qbq=qbq, qbs=qbs)


@cache
def _query_builders(schema: str) -> tuple[QueryBuilderEnvironment, QueryQueueBuilder, QuerySchedulerBuilder]:
    settings = queue_settings(schema)
    return QueryBuilderEnvironment(settings), QueryQueueBuilder(settings), QuerySchedulerBuilder(settings)
