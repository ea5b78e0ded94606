"""Finding (or starting) a PostgreSQL server for development and tests."""

from __future__ import annotations

import asyncio
import importlib
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import asyncpg

from mlp.common.runtime.database import plain_database_url

MACHINE_POSTGRES_URL = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


def import_pgserver() -> ModuleType:
    try:
        return importlib.import_module("pgserver")
    except ImportError:
        python = f"CPython {sys.version_info.major}.{sys.version_info.minor} on {sys.platform} {platform.machine()}"
        raise EmbeddedPostgresUnavailable(
            "the embedded PostgreSQL (pgserver) is not installed: its wheels exist only for CPython 3.11 and "
            f"3.12 on Linux x86_64 and macOS, and this is {python}. Point DATABASE_URL at a PostgreSQL 15+ "
            "server instead, e.g. DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:5432/mlp make run"
        ) from None


def is_reachable(url: str, timeout: float = 3.0) -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(plain_database_url(url), timeout=timeout)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


def embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the pgserver-bundled PostgreSQL 16 in ``data_dir``; it keeps running."""
    pgserver = import_pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    return str(server.get_uri())


@contextmanager
def embedded_postgres_running(data_dir: Path) -> Iterator[str]:
    """The pgserver-bundled PostgreSQL 16 in ``data_dir`` for the duration of the block.

    Started here unless already running; on the way out (or at interpreter exit) it is stopped
    when this process is the last one using it. pgserver counts its users by pid in the data dir,
    so a server another live process still uses keeps running.
    """
    pgserver = import_pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid in ``data_dir/postmaster.pid`` (a running or crashed server), or None."""
    pid_file = data_dir / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def start_machine_postgres() -> bool:
    """Start the machine's PostgreSQL 15 cluster if it is installed; set the password tests use."""
    if shutil.which("pg_ctlcluster") is None:
        return False
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"], check=False)
    subprocess.run(
        ["su", "postgres", "-c", "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""],
        check=False,
        capture_output=True,
    )
    return is_reachable(MACHINE_POSTGRES_URL, timeout=10)


def test_server_url(explicit: str | None, data_dir: Path) -> str:
    """The admin URL tests create their databases on: explicit, the machine's, or embedded."""
    if explicit:
        if not is_reachable(explicit):
            raise RuntimeError(f"TEST_DATABASE_URL is set but unreachable: {explicit}")
        return explicit
    if is_reachable(MACHINE_POSTGRES_URL) or start_machine_postgres():
        return MACHINE_POSTGRES_URL
    return embedded_postgres(data_dir)
