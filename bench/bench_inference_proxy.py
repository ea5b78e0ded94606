"""Issue "Registry, part 2": the inference proxy's overhead over calling the model server directly.

The test model server (libs/devtools, one uvicorn process, answers at once), identity and registry
run as real processes on loopback; registry is called with an API key (verified by identity once,
then cached) and logs every call (batched writes to PostgreSQL with usage events in the outbox).
wrk (1 thread) measures req/s and p50/p99 at 16 connections (throughput) and at 1 (latency
without queueing), plain and streaming (``stream: true``); the time to first byte of streams
comes from sequential httpx calls. Goal: added p50 <= 1 ms and
throughput >= 0.8x direct.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
from harness import bench_database, ensure_wrk, server

from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.devtools.processes import platform_env
from mlp.identity.adapters.db.api_keys import SqlApiKeyRepository
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.secret_material import key_hasher
from mlp.identity.settings import IdentitySettings

IDENTITY, REGISTRY, MODEL = 19201, 19202, 19203
MESSAGES = [{"role": "user", "content": "the quick brown fox jumps over the lazy dog"}]


async def insert_user_and_version(database_url: str) -> tuple[uuid.UUID, uuid.UUID]:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid, email) VALUES ($1, 'bench@example.com') RETURNING id",
            f"bench-{uuid.uuid4().hex}",
        )
        model_id = await conn.fetchval(
            "INSERT INTO registry.models (user_id, name) VALUES ($1, 'bench') RETURNING id", user_id
        )
        version_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO registry.model_versions (model_id, user_id, version) VALUES ($1, $2, 1) RETURNING id",
            model_id,
            user_id,
        )
        return user_id, version_id
    finally:
        await conn.close()


async def insert_api_key(database_url: str, user_id: uuid.UUID, scopes: tuple[str, ...]) -> str:
    """An API key stored as identity stores it (creating one over HTTP needs a Firebase sign-in)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        secret = key_hasher(IdentitySettings(environment="development")).new_key()
        key = ApiKey(uuid.uuid4(), user_id, "bench", secret.prefix, scopes, datetime.now(UTC))
        async with engine.begin() as conn:
            await SqlApiKeyRepository(conn).add(key, secret.digest)
        return secret.plaintext
    finally:
        await engine.dispose()


def wrk_post(
    url: str, body: dict[str, object], headers: dict[str, str], seconds: int = 4, connections: int = 16
) -> dict[str, float]:
    """req/s, p50 and p99 (ms) of wrk POSTing ``body``; fails on any non-2xx answer."""
    script = "wrk.method = 'POST'\nwrk.body = [[" + json.dumps(body) + "]]\n"
    script += "".join(
        f"wrk.headers['{k}'] = '{v}'\n" for k, v in {"Content-Type": "application/json", **headers}.items()
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    args = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name, url]
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    os.unlink(lua.name)
    if "Non-2xx" in output:
        raise RuntimeError(output)

    def millis(label: str) -> float:
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output)
        if found is None:
            raise RuntimeError(output)
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert rps is not None, output
    return {"rps": float(rps.group(1)), "p50": millis("50%"), "p99": millis("99%")}


def first_byte_ms(url: str, body: dict[str, object], headers: dict[str, str], calls: int = 200) -> float:
    """Median time to the first streamed byte over sequential calls on one keep-alive connection."""
    seen = []
    with httpx.Client(headers=headers, timeout=10) as client:
        for _ in range(calls):
            started = time.perf_counter()
            with client.stream("POST", url, json=body) as response:
                chunks = response.iter_raw()
                next(chunks)
                seen.append((time.perf_counter() - started) * 1000)
                for _ in chunks:
                    pass
    return statistics.median(seen)


def main() -> None:
    with bench_database(["identity", "registry"]) as database_url:
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY - 8001),
            "LOG_LEVEL": "WARNING",
            "REGISTRY_PORT": str(REGISTRY),
            "REGISTRY_ALLOW_INTERNAL_UPSTREAMS": "true",
            "IDENTITY_ENVIRONMENT": "development",
        }
        serve = ["mlp.common.runtime.cli", "serve"]
        model_command = ["mlp.devtools.model_server", "--port", str(MODEL)]
        with (
            server(model_command, MODEL, env, health="/v1/models") as model,
            server([*serve, "identity", "--port", str(IDENTITY)], IDENTITY, env) as identity,
            server([*serve, "registry", "--port", str(REGISTRY)], REGISTRY, env) as registry,
        ):
            user_id, version_id = asyncio.run(insert_user_and_version(database_url))
            minted = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"user_id": str(user_id), "scopes": ["models:read", "models:write"]},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            )
            session = {"authorization": f"Bearer {minted.json()['token']}"}
            key = asyncio.run(insert_api_key(database_url, user_id, ("inference",)))
            deployment = {
                "name": "bench-chat",
                "kind": "openai-chat",
                "model_version_id": str(version_id),
                "upstream_url": f"{model}/v1",
            }
            created = httpx.post(f"{registry}/v1/deployments", json=deployment, headers=session)
            assert created.json()["status"] == "ready", created.text
            keyed = {"authorization": f"Bearer {key}"}
            plain_direct = {"model": "test-model", "messages": MESSAGES}
            plain_proxy = {"model": "bench-chat", "messages": MESSAGES}
            stream_direct, stream_proxy = {**plain_direct, "stream": True}, {**plain_proxy, "stream": True}
            direct, proxied = f"{model}/v1/chat/completions", f"{registry}/v1/chat/completions"
            wrk_post(proxied, plain_proxy, keyed, seconds=3)  # warm-up (key verified once, pools filled)
            cases = {
                "direct": (direct, plain_direct, {}),
                "proxy": (proxied, plain_proxy, keyed),
                "sdirect": (direct, stream_direct, {}),
                "sproxy": (proxied, stream_proxy, keyed),
            }
            runs: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
            lone: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
            for _ in range(3):
                for name, (url, body, headers) in cases.items():
                    runs[name].append(wrk_post(url, body, headers))
                    lone[name].append(wrk_post(url, body, headers, seconds=3, connections=1))
            ttfb_direct = first_byte_ms(direct, stream_direct, {})
            ttfb_proxy = first_byte_ms(proxied, stream_proxy, keyed)
            logged = httpx.get(f"{registry}/v1/inference-requests", params={"limit": 1}, headers=session).json()
            assert logged["items"], "nothing logged"

    def med(seen: dict[str, list[dict[str, float]]], name: str, figure: str) -> float:
        return statistics.median(run[figure] for run in seen[name])

    print("medians of 3 interleaved rounds; each server one uvicorn process; 2 cores shared with wrk and PostgreSQL")
    for label, a, b in (("plain", "direct", "proxy"), ("stream", "sdirect", "sproxy")):
        for title, seen in (("wrk -c16 (throughput)", runs), ("wrk -c1  (latency)   ", lone)):
            print(
                f"{label:<6} {title} direct {med(seen, a, 'rps'):6.0f} req/s p50 {med(seen, a, 'p50'):6.2f} ms "
                f"p99 {med(seen, a, 'p99'):6.2f} ms | registry {med(seen, b, 'rps'):6.0f} req/s "
                f"p50 {med(seen, b, 'p50'):6.2f} ms p99 {med(seen, b, 'p99'):6.2f} ms | "
                f"ratio {med(seen, b, 'rps') / med(seen, a, 'rps'):.2f}, "
                f"added p50 {med(seen, b, 'p50') - med(seen, a, 'p50'):.2f} ms"
            )
    print(f"stream time to first byte (sequential, median): direct {ttfb_direct:.2f} ms, registry {ttfb_proxy:.2f} ms")


if __name__ == "__main__":
    main()
