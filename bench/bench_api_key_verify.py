"""Issue 6: API-key verification at identity against the framework's ceiling.

identity and a bare Litestar app (one constant JSON route, no middleware: the ceiling) served
by uvicorn (one worker each) in the same run; wrk at 32 connections on identity's
``/v1/auth/verify`` with: a cached key without quota; keys with a 60/minute quota (the exact
path: one PostgreSQL transaction per call; many keys in turn so every call is allowed); one key
over its quota (refusals). identity's own ``/healthz`` is reported too. Goals: cached verify
>= 0.5 of the bare ceiling; refusals >= cached successes.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

import asyncpg
import httpx
from harness import bench_database, interleaved, rotating_tokens_script, server, uvicorn_command, wrk

from mlp.common.auth.principal import Principal
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.devtools.processes import platform_env
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings

PORT, BARE_PORT = 29101, 29180
ROUNDS, SECONDS, QUOTA_KEYS = 3, 4, 1000


async def user_token(database_url: str) -> str:
    """A signed-in user's token (the user themself may manage keys), signed as identity signs."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid, email) VALUES ($1, 'bench@example.com') RETURNING id",
            f"bench-{uuid.uuid4().hex}",
        )
    finally:
        await conn.close()
    engine = create_engine(database_url, pool_size=1)
    try:
        tokens = platform_tokens(engine, IdentitySettings(environment="development"))
        return (await tokens.issue(Principal(user_id=user_id, scopes=("*",)))).token
    finally:
        await engine.dispose()


def create_key(http: httpx.Client, identity: str, token: str, **quotas: int) -> str:
    response = http.post(
        f"{identity}/v1/api-keys",
        json={"name": "bench", "scopes": ["inference", "models:read"], **quotas},
        headers={"authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    secret: str = response.json()["secret"]
    return secret


def main() -> None:
    with bench_database(["identity"]) as database_url, tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, **platform_env(database_url, base_port_offset=PORT - 8001), "LOG_LEVEL": "WARNING"}
        command = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(PORT)]
        with (
            server(command, PORT, env) as identity,
            server(uvicorn_command("harness:bare_app", BARE_PORT), BARE_PORT, env, health="/") as bare,
            httpx.Client(timeout=30) as http,
        ):
            http.get(f"{identity}/.well-known/jwks.json").raise_for_status()  # identity made its key
            token = asyncio.run(user_token(database_url))
            plain_key = create_key(http, identity, token)
            quota_keys = [create_key(http, identity, token, requests_per_minute=60) for _ in range(QUOTA_KEYS)]
            spent_key = create_key(http, identity, token, requests_per_minute=1)
            verify = f"{identity}/v1/auth/verify"
            assert http.get(verify, headers={"authorization": f"Bearer {spent_key}"}).status_code == 200
            assert http.get(verify, headers={"authorization": f"Bearer {spent_key}"}).status_code == 429
            assert http.get(verify, headers={"authorization": f"Bearer {plain_key}"}).status_code == 200
            quota_script = rotating_tokens_script(quota_keys, Path(scratch))
            wrk(f"{bare}/", seconds=2)  # warm-up
            rps = interleaved(
                ROUNDS,
                {
                    "bare": lambda: wrk(f"{bare}/", seconds=SECONDS),
                    "healthz": lambda: wrk(f"{identity}/healthz", seconds=SECONDS),
                    "cached": lambda: wrk(verify, seconds=SECONDS, headers={"authorization": f"Bearer {plain_key}"}),
                    "quota": lambda: wrk(verify, seconds=SECONDS, script=quota_script),
                    "refused": lambda: wrk(
                        verify, seconds=SECONDS, headers={"authorization": f"Bearer {spent_key}"}, refusals=True
                    ),
                },
            )
    bare_rps = rps["bare"]
    print(f"median of {ROUNDS} interleaved {SECONDS} s runs, wrk -c32, uvicorn 1 worker (shared 2-core machine: noisy)")
    print(f"bare Litestar, constant JSON (ceiling):  {bare_rps:9.0f} req/s")
    rows = (("healthz", "identity /healthz"), ("cached", "verify, cached key, no quota"))
    rows += (("quota", "verify, keys of 60/min (1 tx/call)"), ("refused", "verify, key over its quota (429)"))
    for name, label in rows:
        print(f"{label:40s} {rps[name]:9.0f} req/s   {rps[name] / bare_rps:.3f} of bare")
    print(f"refusals / cached successes: {rps['refused'] / rps['cached']:.3f}")
    print("goals: cached >= 0.5 of bare; refusals >= cached successes")


if __name__ == "__main__":
    main()
