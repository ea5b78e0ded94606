"""What every benchmark needs: PostgreSQL, a migrated database, servers, and wrk.

Servers are real processes (uvicorn, one worker) on loopback; load comes from wrk (installed
from Debian's packages when missing), so client and server share this machine's cores as in
the issues' baselines.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from mlp.devtools.databases import create_database, drop_database, migrate_all
from mlp.devtools.postgres import test_server_url

ROOT = Path(__file__).resolve().parent.parent


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


@contextmanager
def bench_database(services: Sequence[str]) -> Iterator[str]:
    server = test_server_url(None, ROOT / ".data/pgtest")
    url = asyncio.run(create_database(server, prefix="mlp_bench"))
    try:
        asyncio.run(migrate_all(url, tuple(services)))
        yield url
    finally:
        asyncio.run(drop_database(server, url))


@contextmanager
def server(command: Sequence[str], port: int, env: dict[str, str], health: str = "/healthz") -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", *command], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(url + health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise TimeoutError(f"{command} did not come up on {port}")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def wrk(url: str, *, connections: int = 32, seconds: int = 10, headers: dict[str, str] | None = None) -> float:
    """Requests/s wrk reached; fails if any response was not 2xx."""
    args = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"non-2xx answers from {url}:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(output)
    return float(match.group(1))


def interleaved(rounds: int, measures: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Median requests/s of each measure, run in turn ``rounds`` times so that the machine's
    drift (two cores shared by server, database and load generator) hits all of them alike."""
    seen: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            seen[name].append(measure())
    return {name: statistics.median(values) for name, values in seen.items()}
