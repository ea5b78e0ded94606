"""Starts one service's three roles from an installation of it alone, against a fresh database.

    python -m mlp.devtools.role_check registry -- /tmp/venv-registry/bin/mlp
    python -m mlp.devtools.role_check --env HOME=/tmp registry -- chroot --userspec=10001:10001 ROOTFS mlp

The command after ``--`` is how that installation runs ``mlp`` (a venv made as the image makes
it, or a built image's filesystem). In order: ``migrate`` must exit 0, ``serve`` must answer
``/readyz`` with 200, ``worker`` must log that it started taking jobs; both then stop on SIGTERM.
The roles get a bare environment (no PYTHONPATH, a scratch working directory), so nothing of
this checkout can stand in for what the installation lacks. Exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from mlp.common.runtime.cli import SERVICES
from mlp.devtools.databases import create_database, drop_database
from mlp.devtools.postgres import MACHINE_POSTGRES_URL

PATH = "/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class RoleFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def role_env(service: str, database_url: str, port: int) -> dict[str, str]:
    return {
        "PATH": PATH,
        "DATABASE_URL": database_url,
        f"{service.upper()}_PORT": str(port),
        # a development run: loopback peers and the built-in development keys are allowed
        "ENVIRONMENT": "development",
    }


def wait_for(what: str, process: subprocess.Popen[bytes], log: Path, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RoleFailed(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if ready():
            return
        time.sleep(0.3)
    raise RoleFailed(f"{what}: not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise RoleFailed(f"{what} did not stop within 30 s of SIGTERM") from None
    if code not in (0, -signal.SIGTERM):  # uvicorn re-raises the signal once it has shut down cleanly
        raise RoleFailed(f"{what} exited with {code} on SIGTERM:\n{log.read_text()[-3000:]}")


def answers_ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def check_roles(service: str, mlp: list[str], database_url: str, timeout: float, extra: dict[str, str]) -> None:
    port = free_port()
    env = {**role_env(service, database_url, port), **extra}
    with tempfile.TemporaryDirectory(prefix=f"mlp-roles-{service}-") as scratch:
        started = time.monotonic()
        migrate = subprocess.run([*mlp, "migrate", service], env=env, cwd=scratch, capture_output=True, check=False)
        if migrate.returncode != 0:
            raise RoleFailed(f"migrate exited with {migrate.returncode}:\n{migrate.stderr.decode()[-3000:]}")
        print(f"  {service}: migrate ok ({time.monotonic() - started:.1f} s)", flush=True)
        worker_log = Path(scratch) / "worker.log"
        roles: dict[str, tuple[list[str], Callable[[], bool]]] = {
            "serve": (
                [*mlp, "serve", service, "--port", str(port)],
                lambda: answers_ready(f"http://127.0.0.1:{port}/readyz"),
            ),
            "worker": ([*mlp, "worker", service], lambda: "worker started" in worker_log.read_text()),
        }
        for role, (command, ready) in roles.items():
            log = Path(scratch) / f"{role}.log"
            started = time.monotonic()
            with log.open("wb") as out:
                process = subprocess.Popen(command, env=env, cwd=scratch, stdout=out, stderr=subprocess.STDOUT)
            try:
                wait_for(role, process, log, ready, timeout)
                print(f"  {service}: {role} ready ({time.monotonic() - started:.1f} s)", flush=True)
            finally:
                if process.poll() is None:
                    stop(role, process, log)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m mlp.devtools.role_check")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("mlp", nargs=argparse.REMAINDER, help="-- then the command that runs the installation's mlp")
    parser.add_argument("--server-url", default=os.environ.get("TEST_DATABASE_URL", MACHINE_POSTGRES_URL))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="more environment")
    args = parser.parse_args()
    mlp = args.mlp[1:] if args.mlp[:1] == ["--"] else args.mlp
    if not mlp:
        parser.error("give the installation's mlp command after --")
    database_url = asyncio.run(create_database(args.server_url, f"mlp_roles_{args.service}"))
    try:
        extra = dict(entry.partition("=")[::2] for entry in args.env)
        check_roles(args.service, mlp, database_url, args.timeout, extra)
    except RoleFailed as failure:
        print(f"  {args.service}: {failure}", file=sys.stderr)
        sys.exit(1)
    finally:
        asyncio.run(drop_database(args.server_url, database_url))


if __name__ == "__main__":
    main()
