"""The shared outbox relay (``mlp worker <service>``), end to end on real processes.

- an audit event written in a transaction of registry's schema reaches identity's audit trail,
  attributed to registry;
- usage events wait in the outbox while billing does not acknowledge them, are retried with
  backoff, and are delivered once billing answers; a rolled-back transaction announces nothing.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import pytest

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import STORAGE_BYTES, UsageEventIn
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.common.runtime.outbox import Outbox
from mlp.devtools.processes import ServiceProcess


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.2)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(plain_database_url(database_url))
    yield conn
    await conn.close()


def audit_event(user_id: uuid.UUID) -> OperationEventIn:
    return OperationEventIn(
        event_id=uuid.uuid4(),
        user_id=user_id,
        action="file.created",
        resource_type="file",
        resource_id=str(uuid.uuid4()),
        occurred_at=datetime.now(UTC),
        service="registry",
    )


async def test_an_audit_event_in_registrys_outbox_reaches_identitys_trail(
    platform: dict[str, str], database_url: str, db: asyncpg.Connection
) -> None:
    event = audit_event(uuid.uuid4())
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await Outbox(conn, "registry").audit([event])
    finally:
        await engine.dispose()

    async def recorded() -> bool:
        row = await db.fetchrow("SELECT service FROM identity.operation_events WHERE event_id = $1", event.event_id)
        return row is not None and row["service"] == "registry"

    await eventually(recorded, 60, "identity recorded registry's audit event")


class StandInBilling:
    """Billing's usage ingest on loopback: refuses the first ``refusals`` batches with 503, then accepts."""

    def __init__(self, refusals: int) -> None:
        self.batches: list[dict[str, object]] = []
        self.refused = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if stand_in.refused < refusals:
                    stand_in.refused += 1
                    self.send_response(503)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                stand_in.batches.append(body)
                results = [
                    {"event_id": e["event_id"], "status": "accepted", "status_code": 202} for e in body["events"]
                ]
                answer = json.dumps({"results": results, "accepted": len(results), "duplicates": 0, "rejected": 0})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def billing_stand_in() -> Iterator[StandInBilling]:
    stand_in = StandInBilling(refusals=2)
    yield stand_in
    stand_in.close()


async def test_usage_waits_in_the_outbox_until_billing_acknowledges_it(
    platform: dict[str, str],
    platform_env_vars: dict[str, str],
    empty_database_url: str,
    billing_stand_in: StandInBilling,
) -> None:
    # a database of its own, so the platform's registry worker does not take these jobs
    await asyncio.to_thread(upgrade_to_head, "mlp.registry", empty_database_url)
    user_id = uuid.uuid4()
    events = [
        UsageEventIn(
            event_id=f"storage:{uuid.uuid4()}",
            user_id=user_id,
            metric=STORAGE_BYTES,
            quantity=Decimal(1024 * (i + 1)),
            timestamp=datetime.now(UTC),
        )
        for i in range(3)
    ]
    engine = create_engine(empty_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            await Outbox(conn, "registry").usage([events[0]])
            await conn.rollback()
        async with engine.begin() as conn:
            await Outbox(conn, "registry").usage(events)
    finally:
        await engine.dispose()

    env = {**platform_env_vars, "REGISTRY_DATABASE_URL": empty_database_url, "BILLING_URL": billing_stand_in.url}
    worker = ServiceProcess("registry", 0, env, worker=True).start()
    try:
        conn = await asyncpg.connect(plain_database_url(empty_database_url))
        try:

            async def delivered_and_done() -> bool:
                return (
                    bool(billing_stand_in.batches)
                    and await conn.fetchval("SELECT count(*) FROM registry.pgqueuer") == 0
                )

            await eventually(delivered_and_done, 60, "the usage batch was delivered after two refusals")
        finally:
            await conn.close()
    finally:
        worker.stop()

    assert billing_stand_in.refused == 2
    assert len(billing_stand_in.batches) == 1
    delivered = billing_stand_in.batches[0]["events"]
    assert isinstance(delivered, list)
    assert [(e["event_id"], Decimal(str(e["quantity"]))) for e in delivered] == [
        (e.event_id, e.quantity) for e in events
    ]
