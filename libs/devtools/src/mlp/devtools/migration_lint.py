"""squawk over each revision's SQL: what would lock or break live traffic in a rolling deploy.

Revisions already released are known exceptions: they ran everywhere, and rewriting them would
change history. Every new revision must pass. Two rules are left out: ``prefer-bigint-over-*``
(a column-width preference, not a deploy hazard; ids here are UUIDs) and
``require-statement-timeout`` (a backfill may rightly run for minutes; the migration Job's
``activeDeadlineSeconds`` bounds it, and ``lock_timeout``, which the runner sets, is what keeps
live queries from queueing behind a revision).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RELEASED: dict[str, frozenset[str]] = {
    "identity": frozenset({"0001", "0002", "0003", "0004"}),
    "registry": frozenset(
        {
            "0001",
            "0002",
            "0003",
            "0004",
            "0004_model_registry",
            "0005_serving",
            "0006_dataset_rows_json",
            "0008_tune_jobs",
            "0009_tune_dataset_versions",
            "0010_dataset_row_blocks",
        }
    ),
    "evaluation": frozenset({"0001", "0002", "0003", "0004"}),
    "billing": frozenset({"0001", "0002", "0003", "0004"}),
}
EXCLUDED_RULES = ("prefer-bigint-over-int", "prefer-bigint-over-smallint", "require-statement-timeout")
PG_VERSION = "15.0"


def squawk_findings(scripts: dict[str, str]) -> list[str]:
    """squawk's findings (one line each, ``file:line:col: warning: rule message``) over ``scripts``."""
    if not scripts:
        return []
    squawk = shutil.which("squawk", path=str(Path(sys.executable).parent)) or "squawk"
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, sql in scripts.items():
            path = Path(folder) / f"{name}.sql"
            path.write_text(sql)
            paths.append(str(path))
        result = subprocess.run(
            [squawk, "--reporter", "gcc", "--pg-version", PG_VERSION, "--exclude", ",".join(EXCLUDED_RULES), *paths],
            capture_output=True,
            text=True,
            check=False,
        )
    return [line.replace(folder + "/", "") for line in result.stdout.splitlines() if line.strip()]
