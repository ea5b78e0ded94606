"""Issue "identity": API-key verification against the framework's ceiling.

identity served by uvicorn (one worker), wrk at 32 connections. The ceiling is a constant
Litestar endpoint of the same process (``/healthz``, same middleware stack); the verify
endpoint gets a valid key, once without quotas and once with quotas (every call then counts
in PostgreSQL). Goal: verify >= 0.5 of the ceiling.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import httpx
from harness import bench_database, interleaved, server, wrk

from mlp.common.runtime.database import plain_database_url
from mlp.devtools.processes import platform_env

PORT = 19101


async def insert_user(database_url: str) -> uuid.UUID:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid, email) VALUES ($1, 'bench@example.com') RETURNING id",
            f"bench-{uuid.uuid4().hex}",
        )
        return user_id
    finally:
        await conn.close()


def create_key(identity: str, user_token: str, **quotas: int) -> str:
    response = httpx.post(
        f"{identity}/v1/api-keys",
        json={"name": "bench", "scopes": ["inference", "models:read"], **quotas},
        headers={"authorization": f"Bearer {user_token}"},
    )
    response.raise_for_status()
    secret: str = response.json()["secret"]
    return secret


def main() -> None:
    with bench_database(["identity"]) as database_url:
        env = {**os.environ, **platform_env(database_url, base_port_offset=PORT - 8001), "LOG_LEVEL": "WARNING"}
        command = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(PORT)]
        with server(command, PORT, env) as identity:
            user_id = asyncio.run(insert_user(database_url))
            user_token = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"user_id": str(user_id), "scopes": ["*"]},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            ).json()["token"]
            plain_key = create_key(identity, user_token)
            quota_key = create_key(
                identity, user_token, requests_per_minute=1_000_000, requests_per_month=2_000_000_000
            )
            verify = f"{identity}/v1/auth/verify"
            for key in (plain_key, quota_key):
                assert httpx.get(verify, headers={"authorization": f"Bearer {key}"}).status_code == 200
            wrk(f"{identity}/healthz", seconds=3)  # warm-up
            rps = interleaved(
                5,
                {
                    "ceiling": lambda: wrk(f"{identity}/healthz", seconds=5),
                    "plain": lambda: wrk(verify, seconds=5, headers={"authorization": f"Bearer {plain_key}"}),
                    "quota": lambda: wrk(verify, seconds=5, headers={"authorization": f"Bearer {quota_key}"}),
                },
            )
    ceiling = rps["ceiling"]
    print("median of 5 interleaved 5 s runs, wrk -c32, uvicorn 1 worker")
    print(f"constant Litestar endpoint (ceiling):  {ceiling:9.0f} req/s")
    print(f"verify, valid key without quotas:      {rps['plain']:9.0f} req/s   ratio {rps['plain'] / ceiling:.3f}")
    quota = rps["quota"]
    print(f"verify, valid key with quotas (PG):    {quota:9.0f} req/s   ratio {quota / ceiling:.3f}   (goal >= 0.5)")


if __name__ == "__main__":
    main()
