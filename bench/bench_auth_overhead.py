"""Issue 6: a platform-token-authenticated GET on a service against the same GET unauthenticated.

Three servers in one run, each uvicorn with one worker: identity, a service stack
(``auth_overhead_app.py``: one GET public, one behind a platform token, registry's wiring), and
the ceiling, a bare Litestar app (one constant JSON route, no middleware). Load from wrk at 32
connections. The authed GET is measured warm (one token, verified once) and cold (thousands of
distinct RS256 tokens of one user, each verified once: identity vouches for the user's grant
once per 3 s). Goals: warm >= 0.9, cold >= 0.7 of the unauthenticated GET.
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

IDENTITY_PORT, APP_PORT, BARE_PORT = 29001, 29090, 29080
ROUNDS, SECONDS, COLD_SECONDS, COLD_TOKENS = 3, 4, 2, 6000


async def mint(database_url: str, user_id: uuid.UUID, count: int) -> list[str]:
    """Tokens as identity signs them (its key ring in the database), each distinct (jti)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        tokens = platform_tokens(engine, IdentitySettings(environment="development"))
        principal = Principal(user_id=user_id, scopes=("models:read",))
        return [(await tokens.issue(principal)).token for _ in range(count)]
    finally:
        await engine.dispose()


async def new_user(database_url: str) -> uuid.UUID:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid) VALUES ($1) RETURNING id", uuid.uuid4().hex
        )
        return user_id
    finally:
        await conn.close()


def main() -> None:
    with bench_database(["identity", "registry"]) as database_url, tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
            "LOG_LEVEL": "WARNING",
        }
        identity_cmd = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(IDENTITY_PORT)]
        app_cmd = uvicorn_command("auth_overhead_app:create_app", APP_PORT)
        with (
            server(identity_cmd, IDENTITY_PORT, env) as identity,
            server(app_cmd, APP_PORT, env) as app,
            server(uvicorn_command("harness:bare_app", BARE_PORT), BARE_PORT, env, health="/") as bare,
        ):
            httpx.get(f"{identity}/.well-known/jwks.json").raise_for_status()  # identity made its key
            user_id = asyncio.run(new_user(database_url))
            warm, *cold = asyncio.run(mint(database_url, user_id, 1 + ROUNDS * COLD_TOKENS))
            scripts = [
                rotating_tokens_script(cold[i * COLD_TOKENS : (i + 1) * COLD_TOKENS], Path(scratch) / str(i))
                for i in range(ROUNDS)
            ]
            auth = {"authorization": f"Bearer {warm}"}
            assert httpx.get(f"{app}/bench/authed", headers=auth).status_code == 200
            assert httpx.get(f"{app}/bench/authed").status_code == 401
            wrk(f"{app}/bench/open", seconds=2)  # warm-up
            wrk(f"{bare}/", seconds=2)
            rounds = iter(scripts)
            rps = interleaved(
                ROUNDS,
                {
                    "bare": lambda: wrk(f"{bare}/", seconds=SECONDS),
                    "open": lambda: wrk(f"{app}/bench/open", seconds=SECONDS),
                    "warm": lambda: wrk(f"{app}/bench/authed", seconds=SECONDS, headers=auth),
                    "cold": lambda: wrk(f"{app}/bench/authed", seconds=COLD_SECONDS, script=next(rounds)),
                },
            )
    bare_rps, open_rps = rps["bare"], rps["open"]
    print(f"median of {ROUNDS} interleaved runs, wrk -c32, uvicorn 1 worker each (shared 2-core machine: noisy)")
    print(f"bare Litestar, constant JSON (ceiling): {bare_rps:9.0f} req/s")
    print(f"service GET, no auth:                   {open_rps:9.0f} req/s   {open_rps / bare_rps:.3f} of bare")
    for name, goal in (("warm", 0.9), ("cold", 0.7)):
        value = rps[name]
        print(
            f"service GET, platform token {name}:       {value:9.0f} req/s   {value / open_rps:.3f} of no-auth"
            f" (goal >= {goal}), {value / bare_rps:.3f} of bare"
        )
    print(f"cold: {COLD_TOKENS} distinct tokens per {COLD_SECONDS} s run (tokens reused only past that many requests)")


if __name__ == "__main__":
    main()
