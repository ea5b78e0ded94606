"""Issue "Registry, part 1": CSV dataset creation end to end against PostgreSQL's own COPY.

A generated CSV of about 200 MB (``BENCH_CSV_MB`` to change it; written under ``.data/bench``,
never committed) is
1. COPYed by PostgreSQL itself (``COPY ... FROM STDIN (FORMAT csv)`` through asyncpg) into an
   equivalent typed table: the baseline;
2. uploaded to registry (``POST /v1/files``, multipart, streamed) and made a dataset
   (``POST /v1/datasets``; registry's worker ingests it), timed until the version is ``ready``.
Then random pages of ``GET /v1/datasets/{id}/rows`` are timed, and the peak RSS of the registry
API and worker processes read from ``/proc``. Goals: >= 0.5x COPY's MB/s, peak RSS < 300 MB,
rows p50 < 20 ms. On a shared 2-core machine the figures are noisy: compare them within a run.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from harness import ROOT, bench_database

from mlp.common.runtime.database import plain_database_url
from mlp.devtools.processes import platform_env

IDENTITY_PORT = int(os.environ.get("BENCH_PORT", "23001"))
REGISTRY_PORT = IDENTITY_PORT + 1
USER = "7b0a5c8e-43a8-4f7b-9b8f-6f0c3f0b1a11"
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu")


def generated_csv(megabytes: int) -> Path:
    path = ROOT / ".data" / "bench" / f"ingest-{megabytes}mb.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    with path.open("w") as out:
        out.write("id,name,score,flag,note\n")
        i = 0
        while out.tell() < megabytes * 1_000_000:
            lines = []
            for _ in range(10_000):
                note = " ".join(rng.choices(WORDS, k=8))
                lines.append(
                    f'{i},user_{i % 9973},{rng.random() * 100:.4f},{"true" if i % 3 else "false"},"{note}, x"\n'
                )
                i += 1
            out.write("".join(lines))
    return path


async def add_user(database_url: str) -> None:
    """The bench's user, as a first sign-in would have made it (identity mints tokens only for real users)."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute("INSERT INTO identity.users (id, firebase_uid) VALUES ($1, 'bench-user')", uuid.UUID(USER))
    finally:
        await conn.close()


async def copy_baseline(database_url: str, path: Path) -> float:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute("CREATE TABLE bench_copy (id bigint, name text, score float8, flag boolean, note text)")
        started = time.perf_counter()
        await conn.copy_to_table("bench_copy", source=path, format="csv", header=True)
        elapsed = time.perf_counter() - started
        await conn.execute("DROP TABLE bench_copy")
    finally:
        await conn.close()
    return elapsed


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mlp.common.runtime.cli", *args], env=env)


def wait_healthy(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def create_dataset(registry: str, headers: dict[str, str], path: Path) -> tuple[str, float, int]:
    with httpx.Client(timeout=600) as http:
        started = time.perf_counter()
        with path.open("rb") as data:
            uploaded = http.post(
                f"{registry}/v1/files",
                files={"file": ("big.csv", data, "text/csv")},
                data={"purpose": "dataset"},
                headers=headers,
            )
        uploaded.raise_for_status()
        print(f"(upload alone: {time.perf_counter() - started:.1f} s)")
        created = http.post(
            f"{registry}/v1/datasets", json={"name": "bench", "file_id": uploaded.json()["id"]}, headers=headers
        )
        created.raise_for_status()
        dataset_id = created.json()["id"]
        queued_at, started_at = time.perf_counter(), None
        while True:
            version = http.get(f"{registry}/v1/datasets/{dataset_id}/versions/1", headers=headers).json()
            if started_at is None and version["row_count"]:
                started_at = time.perf_counter()
            if version["status"] != "processing":
                break
            time.sleep(0.05)
        print(f"(first rows seen {(started_at or time.perf_counter()) - queued_at:.1f} s after the 202)")
        elapsed = time.perf_counter() - started
    if version["status"] != "ready":
        raise RuntimeError(version)
    return dataset_id, elapsed, int(version["row_count"])


def rows_latency(registry: str, headers: dict[str, str], dataset_id: str, rows: int, limit: int) -> float:
    timings = []
    with httpx.Client(timeout=30) as http:
        for _ in range(200):
            after = random.randrange(0, rows - limit)
            cursor = base64.urlsafe_b64encode(f"row:{after}".encode()).decode().rstrip("=")
            started = time.perf_counter()
            page = http.get(f"{registry}/v1/datasets/{dataset_id}/rows?limit={limit}&cursor={cursor}", headers=headers)
            timings.append(time.perf_counter() - started)
            if page.status_code != 200 or len(page.json()["data"]) != limit:
                raise RuntimeError(page.text)
    return statistics.median(timings) * 1000


def main() -> None:
    megabytes = int(os.environ.get("BENCH_CSV_MB", "200"))
    path = generated_csv(megabytes)
    size_mb = path.stat().st_size / 1e6
    data_dir = ROOT / ".data" / "bench" / "registry-blobs"
    with bench_database(["identity", "registry"]) as database_url:
        asyncio.run(add_user(database_url))
        copy_seconds = asyncio.run(copy_baseline(database_url, path))
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
            "LOG_LEVEL": "ERROR",
            "REGISTRY_DATA_DIR": str(data_dir),
            "REGISTRY_MAX_UPLOAD_BYTES": str(2 * 1024**3),
            "REGISTRY_STORAGE_QUOTA_BYTES": str(4 * 1024**3),
        }
        processes = [
            start(["serve", "identity", "--port", str(IDENTITY_PORT)], env),
            start(["serve", "registry", "--port", str(REGISTRY_PORT)], env),
        ]
        worker = start(["worker", "registry"], env)
        try:
            identity, registry = f"http://127.0.0.1:{IDENTITY_PORT}", f"http://127.0.0.1:{REGISTRY_PORT}"
            wait_healthy(identity)
            wait_healthy(registry)
            token = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"user_id": USER, "scopes": ["datasets:*"], "caller_scopes": ["datasets:*"]},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            ).json()["token"]
            headers = {"authorization": f"Bearer {token}"}
            dataset_id, seconds, rows = create_dataset(registry, headers, path)
            p50 = {limit: rows_latency(registry, headers, dataset_id, rows, limit) for limit in (100, 1000)}
            rss = {"API": peak_rss_mb(processes[1].pid), "worker": peak_rss_mb(worker.pid)}
        finally:
            for process in [*processes, worker]:
                process.terminate()
                process.wait(30)
    print(f"CSV: {size_mb:.0f} MB, {rows} rows (noisy: 2 shared cores; compare within this run)")
    print(f"PostgreSQL COPY into a typed table:     {size_mb / copy_seconds:7.1f} MB/s ({copy_seconds:.1f} s)")
    print(f"registry upload + ingestion to ready:   {size_mb / seconds:7.1f} MB/s ({seconds:.1f} s)")
    print(f"ratio registry/COPY:                    {copy_seconds / seconds:7.2f}   (goal >= 0.5)")
    print(f"peak RSS, registry API / worker:        {rss['API']:5.0f} MB / {rss['worker']:.0f} MB   (goal < 300 MB)")
    print(f"GET rows p50, limit 100 / 1000:         {p50[100]:5.1f} ms / {p50[1000]:.1f} ms   (goal < 20 ms)")


if __name__ == "__main__":
    main()
