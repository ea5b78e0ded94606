"""Issue "Billing": current-period summary of one user among 10 million events of 10,000 users.

The aggregates of 10M events (10,000 users x 4 metrics x the days of this month so far, events
spread evenly) are seeded directly with SQL, with a default price book (graduated tiers) in
force; billing (uvicorn, one worker) then answers ``GET /v1/usage/summary`` for random users,
one request at a time. Goal: p50 < 50 ms, p99 < 200 ms.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
from harness import bench_database, server

from mlp.common.auth.principal import Principal
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.devtools.processes import platform_env
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings

IDENTITY_PORT, BILLING_PORT = 25101, 25104
USERS, EVENTS, REQUESTS, SAMPLED_USERS = 10_000, 10_000_000, 1_000, 100
METRICS = ["inference.tokens.input", "inference.tokens.output", "eval.rows", "storage.bytes"]

SEED = """
WITH book AS (
    INSERT INTO billing.price_books (name, currency, effective_from)
    VALUES ('bench', 'USD', date_trunc('month', now()) - interval '1 day') RETURNING id
), items AS (
    INSERT INTO billing.price_items (price_book_id, metric, model, unit_price, tiers)
    SELECT book.id, m, 'graduated', NULL,
           '[{"up_to": "1000", "unit_price": "0.5"}, {"up_to": null, "unit_price": "0.25"}]'::jsonb
    FROM book, unnest($1::text[]) AS m
)
INSERT INTO billing.usage_daily (user_id, day, metric, price_book_id, quantity, events)
SELECT u.id, d::date, m, book.id, $3::numeric * 10, $3
FROM book,
     (SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid AS id FROM generate_series(1, $2) n) u,
     generate_series(date_trunc('month', now()), now(), interval '1 day') d,
     unnest($1::text[]) AS m
"""


async def seed(database_url: str) -> int:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        today = datetime.now(UTC).day
        per_row = -(-EVENTS // (USERS * today * len(METRICS)))  # rounded up: at least 10M in all
        await conn.execute(SEED, METRICS, USERS, per_row)
        return int(await conn.fetchval("SELECT sum(events) FROM billing.usage_daily"))
    finally:
        await conn.close()


def user_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012x}"


async def user_tokens(database_url: str, users: list[str]) -> list[str]:
    """The sampled users, registered in identity, with platform tokens signed as identity signs them."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:  # identity must know them (services ask it whether a user still stands)
        await conn.executemany(
            "INSERT INTO identity.users (id, firebase_uid) VALUES ($1, $2)",
            [(uuid.UUID(u), f"bench-{u}") for u in users],
        )
    finally:
        await conn.close()
    engine = create_engine(database_url, pool_size=1)
    try:
        tokens = platform_tokens(engine, IdentitySettings(environment="development"))
        return [(await tokens.issue(Principal(user_id=uuid.UUID(u), scopes=("billing:read",)))).token for u in users]
    finally:
        await engine.dispose()


async def latencies(url: str, tokens: list[str]) -> list[float]:
    out = []
    async with httpx.AsyncClient(timeout=10) as client:
        for i in range(REQUESTS):
            headers = {"authorization": f"Bearer {tokens[i % len(tokens)]}"}
            started = time.perf_counter()
            response = await client.get(f"{url}/v1/usage/summary", headers=headers)
            out.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
            assert response.json()["lines"]
    return out


def main() -> None:
    with bench_database(["identity", "billing"]) as database_url:
        seeded = asyncio.run(seed(database_url))
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
            "LOG_LEVEL": "WARNING",
        }
        identity_cmd = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(IDENTITY_PORT)]
        billing_cmd = ["mlp.common.runtime.cli", "serve", "billing", "--port", str(BILLING_PORT)]
        with server(identity_cmd, IDENTITY_PORT, env) as identity, server(billing_cmd, BILLING_PORT, env) as billing:
            httpx.get(f"{identity}/.well-known/jwks.json").raise_for_status()  # identity made its signing key
            users = random.Random(5).sample(range(1, USERS + 1), SAMPLED_USERS)
            tokens = asyncio.run(user_tokens(database_url, [user_id(n) for n in users]))
            asyncio.run(latencies(billing, tokens[:10]))  # warm-up
            times = sorted(asyncio.run(latencies(billing, tokens)))
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    print(f"{seeded:,} events of {USERS:,} users (aggregates seeded), {REQUESTS} sequential summaries")
    print(f"GET /v1/usage/summary: p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal p50 < 50, p99 < 200)")


if __name__ == "__main__":
    main()
