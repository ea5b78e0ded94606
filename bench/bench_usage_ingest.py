"""Issue "Billing": usage ingestion over HTTP against a raw asyncpg COPY of the same rows.

billing (uvicorn, one worker) and identity run as processes; the client posts batches of 1,000
events (validated, idempotent, aggregates kept up to date, follow-up jobs queued) from 4
concurrent connections. The baseline COPYs the same number of rows (same shape, new ids) into
the same table from this script. Goal: HTTP >= 0.5x COPY and >= 40,000 events/s.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import httpx
import msgspec
from harness import bench_database, server

from mlp.common.runtime.database import plain_database_url
from mlp.devtools.processes import platform_env

IDENTITY_PORT, BILLING_PORT = 25001, 25004
BATCH, BATCHES, CONCURRENCY, USERS = 1_000, 60, 4, 200
METRICS = ["inference.tokens.input", "inference.tokens.output", "eval.rows", "storage.bytes"]


class Accepted(msgspec.Struct):
    """The one field of the receipt the client checks (decoding all 1,000 results would load the
    client, which shares the machine's two cores with the server)."""

    accepted: int


def make_batches(tag: str) -> list[bytes]:
    users = [str(uuid.uuid4()) for _ in range(USERS)]
    now = datetime.now(UTC).isoformat()
    out = []
    for b in range(BATCHES):
        events = [
            {
                "event_id": f"{tag}-{b}-{i}",
                "user_id": users[(b * BATCH + i) % USERS],
                "metric": METRICS[i % len(METRICS)],
                "quantity": (i % 500) + 1,
                "timestamp": now,
                "properties": {"model": "m1"},
            }
            for i in range(BATCH)
        ]
        out.append(msgspec.json.encode({"events": events}))
    return out


async def http_rate(url: str, token: str, bodies: list[bytes]) -> float:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            while not queue.empty():
                body = queue.get_nowait()
                response = await http.post(f"{url}/v1/usage-events", content=body, headers=headers)
                assert response.status_code == 200, response.text[:300]
                assert msgspec.json.decode(response.content, type=Accepted).accepted == BATCH

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return len(bodies) * BATCH / (time.perf_counter() - started)


async def copy_rate(database_url: str) -> float:
    now = datetime.now(UTC)
    users = [uuid.uuid4() for _ in range(USERS)]
    nil = uuid.UUID(int=0)
    rows = [
        (
            users[n % USERS],
            f"copy-{n}",
            METRICS[n % 4],
            Decimal(n % 500 + 1),
            now,
            '{"model": "m1"}',
            hashlib.sha256(str(n).encode()).digest(),
            nil,
        )
        for n in range(BATCH * BATCHES)
    ]
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        started = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            await conn.copy_records_to_table(
                "usage_events",
                schema_name="billing",
                records=rows[i : i + BATCH],
                columns=[
                    "user_id",
                    "event_id",
                    "metric",
                    "quantity",
                    "occurred_at",
                    "properties",
                    "payload_hash",
                    "price_book_id",
                ],
            )
        return len(rows) / (time.perf_counter() - started)
    finally:
        await conn.close()


def main() -> None:
    with bench_database(["identity", "billing"]) as database_url:
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
            "LOG_LEVEL": "WARNING",
        }
        identity_cmd = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(IDENTITY_PORT)]
        billing_cmd = ["mlp.common.runtime.cli", "serve", "billing", "--port", str(BILLING_PORT)]
        with server(identity_cmd, IDENTITY_PORT, env) as identity, server(billing_cmd, BILLING_PORT, env) as billing:
            token = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"service": "registry"},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            ).json()["token"]
            asyncio.run(http_rate(billing, token, make_batches("warm")[:5]))
            http = asyncio.run(http_rate(billing, token, make_batches("http")))
        copy = asyncio.run(copy_rate(database_url))
    print(f"{BATCHES} batches of {BATCH} events, {CONCURRENCY} connections, uvicorn 1 worker")
    print(f"HTTP ingestion (validated, idempotent, aggregated): {http:9.0f} events/s")
    print(f"raw asyncpg COPY into the same table:               {copy:9.0f} events/s")
    print(f"ratio: {http / copy:.2f} (goal >= 0.5); goal >= 40,000 events/s")


if __name__ == "__main__":
    main()
