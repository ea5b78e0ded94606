"""The SQL each of a service's revisions runs, captured from a real upgrade, for the linter.

Revisions are applied one at a time on a throwaway database while an engine event records every
statement; alembic's own bookkeeping and the migration runner's session set-up are left out, and
each revision's statements are wrapped as the runner runs them: the runner's ``lock_timeout``,
then one transaction, left for the statements of an ``autocommit_block`` (``CREATE INDEX
CONCURRENTLY``). (``alembic upgrade --sql`` cannot render revisions that call a library's
installer, as the job-queue ones do.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine

from mlp.common.runtime.migrations import DEFAULT_LOCK_TIMEOUT_SECONDS, alembic_config

_BOOKKEEPING = re.compile(
    r"alembic_version|pg_catalog|information_schema|pg_advisory|^\s*SET lock_timeout|CREATE SCHEMA IF"
)


@contextmanager
def _recorded(statements: list[str]) -> Iterator[None]:
    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _BOOKKEEPING.search(statement):
            return
        statement = statement.strip().rstrip(";")
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        statements.append(f"COMMIT;\n{statement};\nBEGIN" if autocommit else statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def revision_sql(service: str, database_url: str) -> dict[str, str]:
    """Each revision of ``mlp.<service>`` (oldest first) and the SQL script it runs."""
    config = alembic_config(f"mlp.{service}", database_url)
    revisions = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()][::-1]
    lock_timeout_ms = int(DEFAULT_LOCK_TIMEOUT_SECONDS * 1000)
    scripts: dict[str, str] = {}
    for revision in revisions:
        statements: list[str] = []
        with _recorded(statements):
            command.upgrade(config, revision)
        body = "".join(f"{statement};\n" for statement in statements)
        scripts[revision] = f"SET lock_timeout = {lock_timeout_ms};\nBEGIN;\n{body}COMMIT;\n"
    return scripts
