"""What every benchmark needs: PostgreSQL, a migrated database, servers, and wrk.

Servers are real processes (uvicorn, one worker) on loopback; load comes from wrk (installed
from Debian's packages when missing), so client and server share this machine's cores as in
the issues' baselines. The ceiling of every auth benchmark is :func:`bare_app` (one constant
JSON route, no middleware), served the same way in the same run.
"""

from __future__ import annotations

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
from litestar import Litestar, get

from mlp.devtools.databases import migrated_database
from mlp.devtools.postgres import test_server_url

ROOT = Path(__file__).resolve().parent.parent


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


@contextmanager
def bench_database(services: Sequence[str]) -> Iterator[str]:
    with migrated_database(test_server_url(None, ROOT / ".data/pgtest"), "mlp_bench", services) as url:
        yield url


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


BARE_BODY = {"models": [{"id": "m-1", "name": "sentiment", "versions": 3}]}


@get("/", sync_to_thread=False)
def _constant() -> dict[str, object]:
    return BARE_BODY


def bare_app() -> Litestar:
    """The ceiling: Litestar with one constant JSON route and no middleware at all."""
    return Litestar(route_handlers=[_constant], openapi_config=None)


def uvicorn_command(factory: str, port: int) -> list[str]:
    """``python -m`` arguments serving ``module:factory`` of bench/ with uvicorn, one worker."""
    return ["uvicorn", "--factory", factory, "--app-dir", "bench", "--port", str(port), *QUIET]


QUIET = ("--no-access-log", "--log-level", "warning")


def rotating_tokens_script(tokens: Sequence[str], directory: Path) -> Path:
    """A wrk Lua script sending each token once, in turn (then from the start again)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "tokens.lua"
    listed = ",\n".join(f'"{token}"' for token in tokens)
    script.write_text(
        f"tokens = {{\n{listed}\n}}\ni = 0\n"
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. tokens[(i - 1) % #tokens + 1]})\n'
        "end\n"
    )
    return script


def wrk(
    url: str,
    *,
    connections: int = 32,
    seconds: int = 10,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    refusals: bool = False,
) -> float:
    """Requests/s wrk reached; fails if any response was not 2xx (or, with ``refusals``, was)."""
    args = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    if refusals:
        total = re.search(r"(\d+) requests in", output)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        # a minute window may turn during the run and let one call through
        if total is None or non_2xx is None or int(non_2xx.group(1)) < 0.99 * int(total.group(1)):
            raise RuntimeError(f"expected refusals from {url}:\n{output}")
    elif "Non-2xx" in output:
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
