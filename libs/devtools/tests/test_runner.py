"""``make run`` stops what it started: Ctrl-C stops the services and the embedded PostgreSQL.

Ctrl-C comes while the services are starting (the moment the database is migrated): the path
that used to orphan processes, and it keeps this test at about ten seconds instead of a minute
for the whole platform to come up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlp.devtools.postgres import postmaster_pid

PORT_OFFSET = int(os.environ.get("MLP_TEST_PORT_OFFSET", "10000")) + 100
"""Clear of `make run` (8001-8004) and of the cross-service tests (8001-8004 + MLP_TEST_PORT_OFFSET)."""


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # not under pytest's tmp_path: as root, pgserver runs postgres as its own user, which must reach the dir
    path = Path(tempfile.mkdtemp(prefix="mlp-run-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def gone_within(pid: int, seconds: float) -> bool:
    """pg_ctl stop returns once the pid file is gone; the postmaster itself may exit a moment later."""
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; output: {''.join(seen)}")


def test_ctrl_c_stops_the_services_and_the_embedded_postgres(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        MLP_DATA_DIR=str(data_dir),
        MLP_PORT_OFFSET=str(PORT_OFFSET),
        FIREBASE_AUTH_EMULATOR_HOST="127.0.0.1:9",  # an emulator of its own is not what this test is about
        LOG_LEVEL="WARNING",
    )
    runner = subprocess.Popen(
        [sys.executable, "-m", "mlp.devtools.runner"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: whatever it leaves behind is found there
    )
    try:
        wait_for_line(runner, "migrated:", timeout=120)
        postgres = postmaster_pid(data_dir / "postgres")
        assert postgres is not None
        assert alive(postgres)
        time.sleep(1)  # the services are being started

        runner.send_signal(signal.SIGINT)
        output = wait_for_line(runner, "stopped.", timeout=60)
        assert runner.wait(timeout=30) == 0, "".join(output)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert gone_within(postgres, seconds=10), "the embedded PostgreSQL is still running"
    assert postmaster_pid(data_dir / "postgres") is None
    with pytest.raises(ProcessLookupError):  # no service process of the runner's group is left
        os.killpg(runner.pid, 0)
