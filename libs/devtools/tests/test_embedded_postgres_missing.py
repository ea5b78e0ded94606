"""Where pgserver has no wheel (CPython 3.13+, Linux arm64) ``make run`` says what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUN_WITHOUT_PGSERVER = "import sys; sys.modules['pgserver'] = None; from mlp.devtools.runner import main; main()"


def test_make_run_without_the_embedded_database_names_it_and_the_way_out(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_PGSERVER], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "the embedded PostgreSQL (pgserver) is not installed" in run.stderr
    assert "CPython 3.11 and 3.12 on Linux x86_64 and macOS" in run.stderr
    assert "DATABASE_URL=postgresql://" in run.stderr
