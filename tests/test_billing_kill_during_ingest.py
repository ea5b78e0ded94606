"""kill -9 of billing while a client sends usage batches (retrying on errors): afterwards every event is
counted exactly once and the summary equals the sum of the quantities.

100,000 events in batches of 1,000; billing is killed twice, each time with a batch on the wire.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from mlp.common.auth.principal import Principal
from mlp.common.runtime.database import create_engine
from mlp.devtools.processes import ServiceProcess, platform_env, start_platform, stop_all
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings

PORT_OFFSET = int(os.environ.get("MLP_TEST_PORT_OFFSET", "10000")) + 150
"""Ports of our own identity and billing, clear of the shared platform's."""
EVENTS = 100_000
BATCH = 1_000
USERS = [uuid.uuid4() for _ in range(4)]


@pytest.fixture
def own_billing(database_url: str) -> Iterator[list[ServiceProcess]]:
    """identity and billing of our own (billing is killed), no workers."""
    env = platform_env(database_url, base_port_offset=PORT_OFFSET, extra={"LOG_LEVEL": "WARNING"})
    processes = start_platform(env, services=("identity", "billing"), workers=())
    yield processes
    stop_all(processes)


async def service_token(database_url: str) -> str:
    engine = create_engine(database_url, pool_size=1)
    try:
        settings = IdentitySettings(environment="development")
        return (await platform_tokens(engine, settings).issue(Principal.for_service("registry"))).token
    finally:
        await engine.dispose()


def batches() -> list[list[dict[str, object]]]:
    rng = random.Random(11)
    now = datetime.now(UTC).isoformat()
    events = [
        {
            "event_id": f"kill-{i}",
            "user_id": str(USERS[i % len(USERS)]),
            "metric": "eval.rows",
            "quantity": str(Decimal(rng.randint(1, 10_000)) / 100),
            "timestamp": now,
        }
        for i in range(EVENTS)
    ]
    return [events[i : i + BATCH] for i in range(0, EVENTS, BATCH)]


async def send_until_acknowledged(client: httpx.AsyncClient, url: str, headers: dict[str, str], batch: object) -> None:
    while True:
        try:
            response = await client.post(url, json={"events": batch}, headers=headers)
            if response.status_code == 200:
                assert response.json()["rejected"] == 0
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)


async def test_kill_9_during_ingestion_loses_and_doubles_nothing(
    own_billing: list[ServiceProcess], database_url: str
) -> None:
    billing = next(p for p in own_billing if p.service == "billing")
    headers = {"authorization": f"Bearer {await service_token(database_url)}"}
    url = f"{billing.url}/v1/usage-events"
    work = batches()
    kill_at = {len(work) // 3, 2 * len(work) // 3}
    async with httpx.AsyncClient(timeout=30) as client:
        for number, batch in enumerate(work):
            sending = asyncio.create_task(send_until_acknowledged(client, url, headers, batch))
            if number in kill_at:
                await asyncio.sleep(0.03)  # the batch is on the wire (or being written)
                assert billing.process is not None
                os.kill(billing.process.pid, signal.SIGKILL)
                billing.process.wait()
                billing.start()
                await asyncio.to_thread(billing.wait_healthy, 60)
            await sending
        # every batch again, as a client unsure of its acknowledgements would: all duplicates
        replay = await client.post(url, json={"events": work[len(work) // 3]}, headers=headers)
        assert replay.json()["duplicates"] == BATCH

    expected: dict[uuid.UUID, Decimal] = {u: Decimal(0) for u in USERS}
    for batch in work:
        for e in batch:
            expected[uuid.UUID(str(e["user_id"]))] += Decimal(str(e["quantity"]))
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            stored = await conn.exec_driver_sql(
                "SELECT count(*), count(DISTINCT (user_id, event_id)) FROM billing.usage_events"
                " WHERE event_id LIKE 'kill-%'"
            )
            assert tuple(stored.one()) == (EVENTS, EVENTS)
            for user, total in expected.items():
                daily = await conn.exec_driver_sql(
                    "SELECT sum(quantity), sum(events) FROM billing.usage_daily WHERE user_id = $1", (user,)
                )
                assert tuple(daily.one()) == (total, EVENTS // len(USERS))
    finally:
        await engine.dispose()
