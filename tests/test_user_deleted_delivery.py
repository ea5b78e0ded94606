"""``user.deleted`` from identity's outbox to every service, end to end on real processes.

- a user who deletes their account (``DELETE /v1/me``, signed in through the Firebase Auth
  emulator) is announced to registry, evaluation and billing, which each record it once;
- announced in a transaction of identity's schema, the event reaches every service through
  identity's worker (``mlp worker identity``);
- a subscriber that is down when the event is announced gets it once it is back (retries with
  backoff; the platform fixture runs the worker with short delays);
- a worker killed in the middle of a delivery: another worker picks the job up again once the
  dead one's heartbeat is stale, and the delivery completes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import httpx
import pytest

from mlp.common.contracts.events import USER_DELETED_PATH, UserDeleted
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.devtools.firebase_emulator import FirebaseEmulator
from mlp.devtools.processes import ServiceProcess
from mlp.identity.adapters.outbox import PgQueuerOutbox

SUBSCRIBERS = ["registry", "evaluation", "billing"]


async def announce(database_url: str, event: UserDeleted, subscribers: list[str]) -> None:
    """What identity's account deletion does: the outbox write, committed in one transaction."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await PgQueuerOutbox(conn, subscribers).announce_user_deleted(event)
    finally:
        await engine.dispose()


def new_event() -> UserDeleted:
    return UserDeleted(event_id=uuid.uuid4(), user_id=uuid.uuid4(), deleted_at=datetime.now(UTC))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(plain_database_url(database_url))
    yield conn
    await conn.close()


async def services_with(db: asyncpg.Connection, event_id: uuid.UUID) -> set[str]:
    found = set()
    for service in SUBSCRIBERS:
        if await db.fetchval(f"SELECT count(*) FROM {service}.received_events WHERE event_id = $1", event_id):
            found.add(service)
    return found


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.2)


async def test_a_deleted_account_is_announced_to_every_service(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator, db: asyncpg.Connection
) -> None:
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(base_url=platform["identity"], timeout=10) as identity:
        signed_in = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
        assert signed_in.status_code == 201, signed_in.text
        user_id = uuid.UUID(signed_in.json()["user"]["id"])
        token = signed_in.json()["platform_token"]
        deleted = await identity.delete("/v1/me", headers={"authorization": f"Bearer {token}"})
        assert deleted.status_code == 204, deleted.text

    async def everyone_has_it() -> bool:
        found = set()
        for service in SUBSCRIBERS:
            kinds = await db.fetch(f"SELECT kind FROM {service}.received_events WHERE user_id = $1", user_id)
            if [row["kind"] for row in kinds] == ["user.deleted"]:
                found.add(service)
        return found == set(SUBSCRIBERS)

    await eventually(everyone_has_it, 20, "every service recorded the deleted user's event")


async def test_an_announced_deletion_reaches_every_service(
    platform: dict[str, str], database_url: str, db: asyncpg.Connection
) -> None:
    event = new_event()
    await announce(database_url, event, SUBSCRIBERS)

    async def everyone_has_it() -> bool:
        return await services_with(db, event.event_id) == set(SUBSCRIBERS)

    await eventually(everyone_has_it, 20, "every service recorded the event")
    for service in SUBSCRIBERS:
        row = await db.fetchrow(
            f"SELECT kind, user_id FROM {service}.received_events WHERE event_id = $1", event.event_id
        )
        assert row is not None
        assert (row["kind"], row["user_id"]) == ("user.deleted", event.user_id)

    async def queue_is_done() -> bool:
        jobs = await db.fetchval(
            "SELECT count(*) FROM identity.pgqueuer WHERE dedupe_key LIKE $1", f"%{event.event_id}%"
        )
        return jobs == 0

    await eventually(queue_is_done, 5, "the delivered jobs left the queue")


async def test_a_subscriber_that_was_down_gets_the_event_when_it_is_back(
    platform_processes: list[ServiceProcess], database_url: str, db: asyncpg.Connection
) -> None:
    billing = next(p for p in platform_processes if p.service == "billing" and not p.worker)
    billing.stop()
    try:
        event = new_event()
        await announce(database_url, event, SUBSCRIBERS)

        async def others_have_it_and_billing_was_retried() -> bool:
            attempts = await db.fetchval(
                "SELECT attempts FROM identity.pgqueuer WHERE dedupe_key = $1", f"user.deleted:{event.event_id}:billing"
            )
            return await services_with(db, event.event_id) == {"registry", "evaluation"} and (attempts or 0) >= 2

        await eventually(others_have_it_and_billing_was_retried, 15, "billing's delivery failed and was retried")
    finally:
        billing.start()
        billing.wait_healthy(60)

    async def billing_has_it() -> bool:
        return "billing" in await services_with(db, event.event_id)

    await eventually(billing_has_it, 10, "billing recorded the event once back")


class SlowSubscriber:
    """A stand-in subscriber on loopback: holds the first delivery (until released), acknowledges the rest."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, str]] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                subscriber.bodies.append(body)
                if len(subscriber.bodies) == 1:
                    subscriber.first_arrived.set()
                    subscriber.release.wait(30)
                receipt = {"event_id": body["event_id"], "service": "slow", "duplicate": len(subscriber.bodies) > 1}
                answer = json.dumps(receipt).encode()
                try:
                    self.send_response(200 if self.path == USER_DELETED_PATH else 404)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the held delivery's worker is dead by now
                    pass

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> SlowSubscriber:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_subscriber() -> Iterator[SlowSubscriber]:
    with SlowSubscriber() as subscriber:
        yield subscriber


async def test_a_killed_workers_delivery_is_picked_up_by_another_worker(
    empty_database_url: str, slow_subscriber: SlowSubscriber
) -> None:
    # a database of its own: the platform's worker must not take this job
    await asyncio.to_thread(upgrade_to_head, "mlp.identity", empty_database_url)
    env = {
        "IDENTITY_DATABASE_URL": empty_database_url,
        "IDENTITY_ENVIRONMENT": "development",
        "IDENTITY_USER_DELETED_SUBSCRIBERS": f"slow={slow_subscriber.url}",
        "OUTBOX_HEARTBEAT_TIMEOUT_SECONDS": "2",
        "OUTBOX_DEQUEUE_TIMEOUT_SECONDS": "1",
        "IDENTITY_HTTP_TIMEOUT_SECONDS": "60",
        "IDENTITY_LOG_LEVEL": "WARNING",
    }
    event = new_event()
    await announce(empty_database_url, event, ["slow"])
    first = ServiceProcess("identity", 0, env, worker=True).start()
    second: ServiceProcess | None = None
    try:
        assert await asyncio.to_thread(slow_subscriber.first_arrived.wait, 30), "the first worker never delivered"
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()

        second = ServiceProcess("identity", 0, env, worker=True).start()
        conn = await asyncpg.connect(plain_database_url(empty_database_url))
        try:

            async def delivered_again_and_done() -> bool:
                return (
                    len(slow_subscriber.bodies) >= 2
                    and await conn.fetchval("SELECT count(*) FROM identity.pgqueuer") == 0
                )

            await eventually(delivered_again_and_done, 25, "the second worker redelivered the job and finished it")
        finally:
            await conn.close()
    finally:
        first.stop()
        if second is not None:
            second.stop()

    assert {body["event_id"] for body in slow_subscriber.bodies} == {str(event.event_id)}
