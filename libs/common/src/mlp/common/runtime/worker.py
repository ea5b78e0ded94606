"""``mlp worker <service>``: a service's queue consumer, outbox relay included.

A pgqueuer worker on the service's queue (its own schema). Each entrypoint is a job handler
(``payload bytes -> None``); the audit and usage relays are always there.

- **Retries with backoff.** A handler that raises re-queues its job with pgqueuer's
  ``RetryRequested``: delay ``outbox_retry_base_seconds * 2**attempts`` (1 s, 2 s, 4 s, ...),
  capped at ``outbox_retry_max_seconds`` (5 minutes), times a jitter in [0.8, 1.0]. There is
  no last attempt: a receiver down for days gets its events within 5 minutes of coming back.
  Only ``JobFailed`` (a payload no retry can fix) ends a job, held as ``failed`` in the queue
  table for a person to look at.
- **A killed worker's job is picked up again.** While a job runs its worker writes heartbeats;
  a job still ``picked`` whose heartbeat is older than ``outbox_heartbeat_timeout_seconds`` is
  dequeued again by a live worker at its next poll (``outbox_dequeue_timeout_seconds``).
- **Schema first.** A worker takes no job until its schema is at its code's head (or ahead):
  :mod:`mlp.common.runtime.schema_gate`.
- **Retention.** Every ``retention_interval_seconds`` one replica deletes, in bounded batches,
  what outlived its retention: the queue's finished-job log and the service's own ``retention``
  rules (:mod:`mlp.common.runtime.retention`).
- **Graceful stop.** SIGTERM or SIGINT stops taking jobs and lets the running ones finish.
- **Observed.** Job latency and failures are Prometheus metrics, served on
  ``worker_metrics_port`` (:mod:`mlp.common.runtime.worker_metrics`); with tracing on, a job's
  handler runs in the trace of the request that queued it.
"""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import structlog
from pgqueuer.db import AsyncpgPoolDriver
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.liveness import touch_while_running
from mlp.common.runtime.outbox import AUDIT_ENTRYPOINT, USAGE_ENTRYPOINT
from mlp.common.runtime.queue import queue_queries, queue_settings
from mlp.common.runtime.relays import AuditRelay, UsageRelay
from mlp.common.runtime.retention import RetentionRule, run_retention
from mlp.common.runtime.schema_gate import schema_ready_unless_stopped
from mlp.common.runtime.service_tokens import ServiceTokens, TokenSource
from mlp.common.runtime.settings import ServiceSettings
from mlp.common.runtime.tracing import continued_trace, enable_tracing
from mlp.common.runtime.worker_metrics import job_failed, job_timer, serve_worker_metrics, watch_worker_pool

JobHandler = Callable[[bytes], Awaitable[None]]
_log = structlog.get_logger("worker")


class JobFailed(Exception):
    """A job no retry can fix (e.g. an undecodable payload): held as failed, not retried."""


@dataclass(frozen=True)
class Entrypoint:
    handler: JobHandler
    concurrency_limit: int = 0
    """Jobs of this kind run at once in one worker (0: no limit but the worker's own)."""


class Backoff:
    """Exponential backoff with jitter, capped; ``attempts`` counts the failures so far."""

    def __init__(self, base_seconds: float, max_seconds: float) -> None:
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds

    def delay(self, attempts: int) -> timedelta:
        exponent = min(max(attempts, 0), 32)  # 2**32 s is far past any cap: no float overflow, ever
        seconds = min(self.max_seconds, self.base_seconds * 2**exponent)
        return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def retrying(entrypoint: str, handler: JobHandler, backoff: Backoff) -> Callable[[Job], Awaitable[None]]:
    """pgqueuer's handler for ``handler``: any failure but ``JobFailed`` asks for a retry."""

    async def run(job: Job) -> None:
        try:
            with continued_trace(f"job {entrypoint}", job.headers), job_timer(entrypoint):
                await handler(job.payload or b"")
        except (JobFailed, msgspec.DecodeError, msgspec.ValidationError):
            job_failed(entrypoint, "failed")
            _log.error("job failed for good", entrypoint=entrypoint, job_id=job.id, exc_info=True)
            raise
        except Exception as exc:
            job_failed(entrypoint, "retry")
            delay = backoff.delay(job.attempts)
            _log.warning(
                "job failed, will retry",
                entrypoint=entrypoint,
                job_id=job.id,
                attempts=job.attempts,
                retry_in_s=delay.total_seconds(),
                reason=f"{type(exc).__name__}: {exc}",
            )
            raise RetryRequested(delay=delay, reason=str(exc)) from exc

    return run


async def run_service_worker(
    settings: ServiceSettings,
    service: str,
    schema: str,
    entrypoints: Mapping[str, Entrypoint],
    token_source: TokenSource | None = None,
    retention: Sequence[RetentionRule] = (),
) -> None:
    """Consume ``schema``'s queue until SIGTERM/SIGINT, then finish the jobs in flight."""
    enable_tracing(f"{service}-worker", settings.otlp_endpoint)
    serve_worker_metrics(settings.host, settings.worker_metrics_port)
    pool = await asyncpg.create_pool(
        plain_database_url(settings.database_url), min_size=1, max_size=settings.worker_db_pool_size
    )
    watch_worker_pool(service, pool)
    try:
        async with service_http_client(settings.http_timeout_seconds, settings.http_retries) as http:
            if token_source is None:
                tokens = ServiceTokens(http, settings.identity_url, service, settings.service_credential)
                token_source = tokens.service_token
            relays = {
                AUDIT_ENTRYPOINT: Entrypoint(AuditRelay(http, settings.identity_url, token_source)),
                USAGE_ENTRYPOINT: Entrypoint(UsageRelay(http, settings.billing_url, token_source)),
            }
            backoff = Backoff(settings.outbox_retry_base_seconds, settings.outbox_retry_max_seconds)
            queue = QueueManager(queue_queries(AsyncpgPoolDriver(pool), schema), channel=queue_settings(schema).channel)
            for name, entry in {**relays, **entrypoints}.items():
                queue.entrypoint(
                    name, concurrency_limit=entry.concurrency_limit, accepts_context=False, on_failure="hold"
                )(retrying(name, entry.handler, backoff))
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, queue.shutdown.set)
            alive = asyncio.create_task(touch_while_running(settings.worker_liveness_file))
            try:
                if await schema_ready_unless_stopped(pool, schema, f"mlp.{service}", queue.shutdown):
                    _log.info("worker started", service=service, entrypoints=sorted({**relays, **entrypoints}))
                    cleaner = asyncio.create_task(_retention(pool, schema, settings, retention))
                    try:
                        await queue.run(
                            dequeue_timeout=timedelta(seconds=settings.outbox_dequeue_timeout_seconds),
                            heartbeat_timeout=timedelta(seconds=settings.outbox_heartbeat_timeout_seconds),
                        )
                    finally:
                        cleaner.cancel()
            finally:
                alive.cancel()
            _log.info("worker stopped", service=service)
    finally:
        await pool.close()


async def _retention(
    pool: asyncpg.Pool, schema: str, settings: ServiceSettings, rules: Sequence[RetentionRule]
) -> None:
    """The service's rules and the queue's log of finished jobs."""
    finished_jobs = RetentionRule("pgqueuer_log", "created", timedelta(days=settings.retention_finished_jobs_days))
    await run_retention(
        pool,
        schema,
        (finished_jobs, *rules),
        lambda: datetime.now(UTC),
        settings.retention_interval_seconds,
        settings.retention_batch_size,
    )
