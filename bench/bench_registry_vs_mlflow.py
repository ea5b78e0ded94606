"""Issue "Registry, part 1": registry's MLflow-compatible API against MLflow's own tracking server.

Both run one worker on the same PostgreSQL (each in its own database), both are seeded alike
(1,000 models with tags, a version and a ``production`` alias each) through the same MLflow REST
requests, then wrk (Lua scripts, one thread, 16 connections) drives the same requests at each:
create model, create version, get version, get by alias, set alias, search by name prefix, search
by tag. Prints req/s and p99 latency per operation and registry/MLflow ratios (goal: >= 10x,
>= 50x on searches).

MLflow (full ``mlflow`` + ``psycopg2-binary``) is a benchmark-only dependency: it is installed into
``.bench-venv/`` on first use, never into the project's environment. registry checks platform tokens
as in production (RS256, keys from ``IDENTITY_URL``'s JWKS, the user's grant confirmed once by
identity's verify, both cached); a stand-in identity here serves the JWKS of this script's own key
and vouches for its tokens, so the benchmark does not depend on identity's process.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from harness import ROOT, bench_database, ensure_wrk, server
from jwt.algorithms import RSAAlgorithm

from mlp.common.auth.platform_claims import PLATFORM_AUDIENCE, PLATFORM_ISSUER
from mlp.devtools.databases import create_database, drop_database
from mlp.devtools.postgres import test_server_url
from mlp.devtools.processes import platform_env

IDENTITY_PORT, REGISTRY_PORT, MLFLOW_PORT = 22001, 22002, 22050
MLFLOW_VERSION = "3.17.*"
VENV = ROOT / ".bench-venv"
MODELS = int(os.environ.get("BENCH_MODELS", "1000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
API = "/api/2.0/mlflow"
OPERATIONS = {
    "create model": 'wrk.format("POST", "{api}/registered-models/create", H, '
    '\'{{"name": "new-{run}-\' .. n .. \'", "tags": [{{"key": "team", "value": "t1"}}]}}\')',
    "create version": 'wrk.format("POST", "{api}/model-versions/create", H, '
    '\'{{"name": "m-\' .. (n % {models}) .. \'", "source": "s3://bench/\' .. n .. \'"}}\')',
    "get version": 'wrk.format("GET", "{api}/model-versions/get?name=m-" .. (n % {models}) .. "&version=1", H)',
    "get by alias": 'wrk.format("GET", "{api}/registered-models/alias?name=m-" .. (n % {models}) .. '
    '"&alias=production", H)',
    "set alias": 'wrk.format("POST", "{api}/registered-models/alias", H, '
    '\'{{"name": "m-\' .. (n % {models}) .. \'", "alias": "production", "version": "1"}}\')',
    "search name prefix": 'wrk.format("GET", "{api}/registered-models/search?max_results=100&filter=" .. '
    '"name%20LIKE%20%27m-" .. (n % 9 + 1) .. "%25%27", H)',
    "search by tag": 'wrk.format("GET", "{api}/registered-models/search?max_results=100&filter=" .. '
    '"tags.team%20%3D%20%27t" .. (n % 10) .. "%27", H)',
}
SEARCHES = ("search name prefix", "search by tag")
SEARCH_SECONDS = max(SECONDS, 30)
"""MLflow answers a search of 100 models in seconds: a longer run gets enough of them."""


def mlflow_bin() -> Path:
    """``.bench-venv/bin/mlflow``, installed there on first use."""
    mlflow = VENV / "bin" / "mlflow"
    if not mlflow.exists():
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        subprocess.run([uv, "venv", "--python", sys.executable, str(VENV)], check=True)
        packages = [f"mlflow=={MLFLOW_VERSION}", "psycopg2-binary"]
        subprocess.run([uv, "pip", "install", "--python", str(VENV / "bin" / "python"), *packages], check=True)
    return mlflow


@contextmanager
def mlflow_server(database_url: str) -> Iterator[str]:
    store = database_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    artifacts = tempfile.mkdtemp(prefix="mlflow-bench-")
    command = [str(mlflow_bin()), "server", "--backend-store-uri", store, "--default-artifact-root", artifacts]
    command += ["--host", "127.0.0.1", "--port", str(MLFLOW_PORT), "--workers", "1"]
    command += ["--uvicorn-opts", "--no-access-log"]  # registry logs no access lines either
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{MLFLOW_PORT}"
    try:
        deadline = time.monotonic() + 600  # its first start runs MLflow's own migrations
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("MLflow's server did not start")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(artifacts, ignore_errors=True)


async def seed(url: str, headers: dict[str, str]) -> None:
    """1,000 models with two tags, one version and a ``production`` alias each, through MLflow's REST API."""
    async with httpx.AsyncClient(base_url=url + API, headers=headers, timeout=60) as client:

        async def one(i: int) -> None:
            tags = [{"key": "team", "value": f"t{i % 10}"}, {"key": "idx", "value": str(i)}]
            for method, path, body in (
                ("POST", "/registered-models/create", {"name": f"m-{i}", "tags": tags}),
                ("POST", "/model-versions/create", {"name": f"m-{i}", "source": f"s3://bench/m-{i}/1"}),
                ("POST", "/registered-models/alias", {"name": f"m-{i}", "alias": "production", "version": "1"}),
            ):
                (await client.request(method, path, json=body)).raise_for_status()

        for start in range(0, MODELS, 20):
            await asyncio.gather(*(one(i) for i in range(start, min(start + 20, MODELS))))


def lua_script(operation: str, token: str | None, directory: Path) -> Path:
    headers = '{["Content-Type"] = "application/json"' + (f', ["Authorization"] = "Bearer {token}"' if token else "")
    call = OPERATIONS[operation].format(api=API, models=MODELS, run=uuid.uuid4().hex[:8])
    script = directory / (re.sub(r"\W", "_", operation) + ".lua")
    script.write_text(f"H = {headers}}}\nn = 0\nrequest = function()\n  n = n + 1\n  return {call}\nend\n")
    return script


Result = tuple[float, float, int]
"""requests/s, p99 latency in ms, answers that were not 2xx (or socket errors)."""


def run_wrk(url: str, script: Path, seconds: int) -> Result:
    args = [ensure_wrk(), "-t1", "-c16", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", str(script), url]
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    failed += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], failed


class TokenIssuer:
    """Signs platform tokens as identity does; ``serve`` stands in for identity's JWKS and verify."""

    KID = "bench-1"

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.jwks = json.dumps({"keys": [{**public, "kid": self.KID, "alg": "RS256", "use": "sig"}]}).encode()

    def token(self, user_id: str) -> str:
        now = int(time.time())
        claims = {"sub": user_id, "scope": "models:read models:write", "iss": PLATFORM_ISSUER}
        claims |= {"aud": PLATFORM_AUDIENCE, "iat": now, "exp": now + 300}
        return jwt.encode(claims, self._key, "RS256", {"kid": self.KID})

    @contextmanager
    def serve(self, port: int) -> Iterator[None]:
        jwks = self.jwks

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(jwks)

            def do_POST(self) -> None:
                token = self.headers.get("authorization", "").removeprefix("Bearer ")
                claims = jwt.decode(token, options={"verify_signature": False})
                principal = {"user_id": claims["sub"], "scopes": claims["scope"].split()}
                self._answer(json.dumps({"principal": principal, "tokens_valid_after": 0}).encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield
        finally:
            httpd.shutdown()
            httpd.server_close()


def main() -> None:
    pg_server = test_server_url(None, ROOT / ".data/pgtest")
    mlflow_db = asyncio.run(create_database(pg_server, prefix="mlp_bench_mlflow"))
    results: dict[str, dict[str, Result]] = {"registry": {}, "mlflow": {}}
    try:
        with bench_database(["registry"]) as database_url, tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
                "LOG_LEVEL": "WARNING",
            }
            issuer = TokenIssuer()
            registry_cmd = ["mlp.common.runtime.cli", "serve", "registry", "--port", str(REGISTRY_PORT)]
            with (
                issuer.serve(IDENTITY_PORT),
                server(registry_cmd, REGISTRY_PORT, env) as registry,
                mlflow_server(mlflow_db) as mlflow,
            ):
                # one user owns the seeded models; tokens live 5 minutes, so one is minted per run
                owner = str(uuid.uuid4())
                token = issuer.token(owner)
                started = time.monotonic()
                asyncio.run(seed(registry, {"authorization": f"Bearer {token}"}))
                asyncio.run(seed(mlflow, {}))
                print(
                    f"seeded {MODELS} models (tags, a version, an alias) into each: {time.monotonic() - started:.0f} s"
                )
                for operation in OPERATIONS:
                    for name, url in (("registry", registry), ("mlflow", mlflow)):
                        token = issuer.token(owner) if name == "registry" else None
                        script = lua_script(operation, token, Path(tmp))
                        run_wrk(url, script, 2)  # warm-up
                        seconds = SEARCH_SECONDS if operation in SEARCHES else SECONDS
                        results[name][operation] = result = run_wrk(
                            url, lua_script(operation, token, Path(tmp)), seconds
                        )
                        rps, p99, errors = result
                        print(
                            f"{name:8} {operation:20} {rps:9.1f} req/s  p99 {p99:8.1f} ms  errors {errors}", flush=True
                        )
    finally:
        asyncio.run(drop_database(pg_server, mlflow_db))
    report(results)


def report(results: dict[str, dict[str, Result]]) -> None:
    print(f"wrk -t1 -c16, {SECONDS} s per operation ({SEARCH_SECONDS} s for searches), one server worker each,")
    print("same PostgreSQL, 2 shared cores; errors: non-2xx answers and socket errors")
    print(
        f"{'operation':20} {'registry req/s':>15} {'p99 ms':>9} {'MLflow req/s':>13} {'p99 ms':>9} {'ratio':>8}  goal"
    )
    for operation in OPERATIONS:
        ours, our_p99, our_errors = results["registry"][operation]
        theirs, their_p99, their_errors = results["mlflow"][operation]
        goal = 50 if operation in SEARCHES else 10
        ratio = f"{ours / theirs:7.1f}x" if theirs else "    n/a"
        verdict = "ok" if theirs and ours / theirs >= goal else "MISSED" if theirs else "MLflow completed none"
        errors = f"  errors {our_errors}/{their_errors}" if our_errors or their_errors else ""
        print(
            f"{operation:20} {ours:15.1f} {our_p99:9.1f} {theirs:13.1f} {their_p99:9.1f} {ratio}  >= {goal}x {verdict}"
            + errors
        )
    summary = {
        name: {op: dict(zip(("rps", "p99_ms", "errors"), value, strict=True)) for op, value in ops.items()}
        for name, ops in results.items()
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
