"""``mlp serve <service> --workers 2``: every service serves from two child processes, and
``/metrics``, whichever process answers, counts the requests of both.

The children are made slow to start (a ``sitecustomize`` sleeping in each spawned child), as
they are when four services import at once on a busy 2-core machine: uvicorn's supervisor
used to kill a child that had not answered its ping within 5 s, and the replacement too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mlp.common.runtime.cli import SERVICES
from mlp.devtools.processes import platform_env

SLOW_CHILD = """
import sys, time
if "--multiprocessing-fork" in sys.argv:  # a child spawned by uvicorn's supervisor
    time.sleep(6)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[dict[str, tuple[str, Path]]]:
    (tmp_path / "sitecustomize.py").write_text(SLOW_CHILD)
    env = {**os.environ, **platform_env(database_url), "LOG_LEVEL": "INFO", "PYTHONPATH": str(tmp_path)}
    started: dict[str, tuple[str, Path]] = {}
    processes = []
    try:
        for service in SERVICES:
            port, log = free_port(), tmp_path / f"{service}.log"
            command = [sys.executable, "-m", "mlp.common.runtime.cli", "serve", service, "--port", str(port)]
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [*command, "--workers", "2"], env=env, stdout=out, stderr=out, start_new_session=True
                    )
                )
            started[service] = (f"http://127.0.0.1:{port}", log)
        yield started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a supervisor busy replacing a child: the whole group
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_every_service_serves_from_two_processes(servers: dict[str, tuple[str, Path]]) -> None:
    deadline = time.monotonic() + 240  # eight children importing at once on 2 busy cores
    for service, (url, log) in servers.items():
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{service} never ready:\n{log.read_text()}"
            time.sleep(0.3)
    time.sleep(1)  # both children have answered pings after their startup
    for service, (_, log) in servers.items():
        output = log.read_text()
        assert "died" not in output, f"{service}:\n{output}"
        assert output.count("Application startup complete") == 2, f"{service}:\n{output}"


def healthz_count(metrics: str) -> float:
    for line in metrics.splitlines():
        if line.startswith("mlp_requests_total{") and 'path="/healthz"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_the_requests_of_every_process(database_url: str, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "billing.log"
    command = [sys.executable, "-m", "mlp.common.runtime.cli", "serve", "billing", "--port", str(port)]
    env = {**os.environ, **platform_env(database_url), "LOG_LEVEL": "INFO"}
    with log.open("wb") as out:
        server = subprocess.Popen([*command, "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 150
        while log.read_text().count("Application startup complete") < 2:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        for _ in range(40):  # a new connection each: both processes accept some
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        scrapes = [healthz_count(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text) for _ in range(6)]
        assert scrapes == [40.0] * 6
    finally:
        server.terminate()
        server.wait(timeout=30)
