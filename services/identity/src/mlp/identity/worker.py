"""identity's outbox relay: ``mlp worker identity``.

A pgqueuer worker on identity's queue (schema ``identity``). Each ``deliver_user_deleted`` job
carries one ``UserDeleted`` event for one subscriber service; the relay POSTs it to
``<subscriber>/internal/v1/events/user-deleted`` with a service token identity mints for itself,
and the job is done once the subscriber answers 2xx with a ``PurgeReceipt`` for that event.

Delivery is at least once, until acknowledged:

- **Retries with backoff.** A network error, a timeout, a non-2xx answer, a receipt for another
  event, an unknown subscriber or a failure to mint the token re-queues the job with pgqueuer's
  ``RetryRequested`` (status back to ``queued``, ``execute_after`` pushed, ``attempts`` + 1). The
  delay is ``outbox_retry_base_seconds * 2**attempts`` (1 s, 2 s, 4 s, ... by default), capped at
  ``outbox_retry_max_seconds`` (5 minutes), times a jitter in [0.8, 1.0] so the retries of many
  jobs spread out. There is no last attempt: a subscriber down for days still gets the event
  within 5 minutes of coming back. Only a payload that cannot be decoded (a bug, not an outage)
  ends the job, held as ``failed`` in the queue table (``on_failure="hold"``) for a person to
  re-queue.
- **A killed worker's job is picked up again.** While a job runs, its worker writes a heartbeat
  every ``outbox_heartbeat_timeout_seconds / 2``; a job still ``picked`` whose heartbeat is older
  than ``outbox_heartbeat_timeout_seconds`` (30 s) is dequeued again by any live worker, at its
  next poll of the queue (every ``outbox_dequeue_timeout_seconds``, 10 s): within 40 s.
- **Graceful stop.** SIGTERM or SIGINT stops taking jobs and lets the running deliveries finish
  (each is bounded by the HTTP timeouts), so a stopped worker leaves nothing half done. A
  cancelled job would be logged as cancelled and leave the queue, so the signals never cancel.

Receivers deduplicate on ``event_id``, so a delivery repeated after a lost acknowledgement
changes nothing more.
"""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, NoReturn

import asyncpg
import httpx
import msgspec
import structlog
from pgqueuer.db import AsyncpgPoolDriver
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager

from mlp.common.auth.principal import Principal
from mlp.common.contracts.events import USER_DELETED_PATH, PurgeReceipt
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.logging import configure_logging
from mlp.identity.adapters.outbox import (
    DELIVER_USER_DELETED,
    UserDeletedDelivery,
    outbox_queries,
    parse_subscribers,
    queue_settings,
)
from mlp.identity.application.platform_tokens import PlatformTokens
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings, identity_settings

IDENTITY = Principal.for_service("identity")
_log = structlog.get_logger("outbox")


class Backoff:
    """Exponential backoff with jitter, capped; ``attempts`` counts the failures so far."""

    def __init__(self, base_seconds: float, max_seconds: float) -> None:
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds

    def delay(self, attempts: int) -> timedelta:
        exponent = min(max(attempts, 0), 32)  # 2**32 s is far past any cap: no float overflow, ever
        seconds = min(self.max_seconds, self.base_seconds * 2**exponent)
        return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


class UserDeletedRelay:
    """The job handler: one delivery of one event to one subscriber."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        subscribers: Mapping[str, str],
        tokens: PlatformTokens,
        backoff: Backoff,
    ) -> None:
        self._http = http
        self._subscribers = dict(subscribers)
        self._tokens = tokens
        self._backoff = backoff

    async def deliver(self, job: Job) -> None:
        # an undecodable payload raises: the job is held as failed (retrying cannot fix it)
        delivery = msgspec.json.decode(job.payload or b"", type=UserDeletedDelivery)
        log = _log.bind(job_id=job.id, service=delivery.service, event_id=str(delivery.event.event_id))
        base_url = self._subscribers.get(delivery.service)
        if base_url is None:
            self._retry(job, log, f"no URL configured for subscriber {delivery.service!r}")
        try:
            token = (await self._tokens.issue(IDENTITY)).token
            response = await self._http.post(
                f"{base_url}{USER_DELETED_PATH}",
                content=msgspec.json.encode(delivery.event),
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
        except Exception as exc:  # network, timeout, or the token (database) failing: all retried
            self._retry(job, log, f"{type(exc).__name__}: {exc}", exc)
        if not response.is_success:
            self._retry(job, log, f"answered {response.status_code}")
        try:
            receipt = msgspec.json.decode(response.content, type=PurgeReceipt)
        except msgspec.DecodeError as exc:
            self._retry(job, log, f"answered {response.status_code} without a receipt", exc)
        if receipt.event_id != delivery.event.event_id:
            self._retry(job, log, f"answered with a receipt for event {receipt.event_id}")
        log.info("delivered", duplicate=receipt.duplicate, attempts=job.attempts)

    def _retry(self, job: Job, log: Any, reason: str, cause: BaseException | None = None) -> NoReturn:
        delay = self._backoff.delay(job.attempts)
        log.warning(
            "delivery failed, will retry", reason=reason, attempts=job.attempts, retry_in_s=delay.total_seconds()
        )
        raise RetryRequested(delay=delay, reason=reason) from cause


async def run_worker(settings: IdentitySettings) -> None:
    """Relay identity's outbox until SIGTERM/SIGINT, then finish the deliveries in flight."""
    subscribers = parse_subscribers(settings.user_deleted_subscribers)
    engine = create_engine(settings.database_url, pool_size=2)
    pool = await asyncpg.create_pool(plain_database_url(settings.database_url), min_size=1, max_size=4)
    try:
        async with service_http_client(settings.http_timeout_seconds, settings.http_retries) as http:
            tokens = platform_tokens(engine, settings)
            relay = UserDeletedRelay(
                http,
                subscribers,
                tokens,
                Backoff(settings.outbox_retry_base_seconds, settings.outbox_retry_max_seconds),
            )
            queue = QueueManager(outbox_queries(AsyncpgPoolDriver(pool)), channel=queue_settings().channel)
            queue.entrypoint(DELIVER_USER_DELETED, accepts_context=False, on_failure="hold")(relay.deliver)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, queue.shutdown.set)
            _log.info("outbox relay started", subscribers=sorted(subscribers))
            await queue.run(
                dequeue_timeout=timedelta(seconds=settings.outbox_dequeue_timeout_seconds),
                heartbeat_timeout=timedelta(seconds=settings.outbox_heartbeat_timeout_seconds),
            )
            _log.info("outbox relay stopped")
    finally:
        await pool.close()
        await engine.dispose()


def main() -> None:
    settings = identity_settings()
    configure_logging("identity", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
