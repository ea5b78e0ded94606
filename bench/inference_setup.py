"""What the inference proxy benchmark needs: a user with a model version and an API key written
as identity and registry store them, wrk POSTing a JSON body, and time to first byte of a stream."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import httpx
from harness import ensure_wrk

from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.identity.adapters.db.api_keys import SqlApiKeyRepository
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.secret_material import key_hasher
from mlp.identity.settings import IdentitySettings

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
            "INSERT INTO registry.model_versions (model_id, user_id, version, artifact_uri)"
            " VALUES ($1, $2, 1, 'test-model') RETURNING id",  # the model id the stand-in model server serves
            model_id,
            user_id,
        )
        return user_id, version_id
    finally:
        await conn.close()


async def insert_api_keys(database_url: str, user_id: uuid.UUID, scopes: tuple[str, ...], count: int) -> list[str]:
    """API keys stored as identity stores them (creating one over HTTP needs a Firebase sign-in)."""
    engine = create_engine(database_url, pool_size=1)
    hasher = key_hasher(IdentitySettings(environment="development"))
    try:
        keys = []
        async with engine.begin() as conn:
            for number in range(count):
                secret = hasher.new_key()
                key = ApiKey(uuid.uuid4(), user_id, f"bench-{number}", secret.prefix, scopes, datetime.now(UTC))
                await SqlApiKeyRepository(conn).add(key, secret.digest)
                keys.append(secret.plaintext)
        return keys
    finally:
        await engine.dispose()


def wrk_post(
    url: str,
    body: dict[str, object],
    headers: dict[str, str],
    seconds: int = 4,
    connections: int = 16,
    keys: Sequence[str] = (),
) -> dict[str, float]:
    """req/s, p50 and p99 (ms) of wrk POSTing ``body``; with ``keys``, each request carries the
    next one as its bearer credential, in turn. Fails on any non-2xx answer."""
    script = "wrk.method = 'POST'\nwrk.body = [[" + json.dumps(body) + "]]\n"
    script += "".join(
        f"wrk.headers['{k}'] = '{v}'\n" for k, v in {"Content-Type": "application/json", **headers}.items()
    )
    if keys:
        script += "keys = {\n" + ",\n".join(f'"{key}"' for key in keys) + "\n}\ni = 0\n"
        script += "request = function()\n  i = i + 1\n"
        script += (
            "  wrk.headers['Authorization'] = 'Bearer ' .. keys[(i - 1) % #keys + 1]\n  return wrk.format()\nend\n"
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
