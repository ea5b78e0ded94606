"""Alembic, one environment and one version table per service schema.

Each service's ``migrations/env.py`` calls :func:`run_migrations`; tools call
:func:`upgrade_to_head` and readiness compares :func:`current_revision` to :func:`head_revision`.

Safe for rolling deploys and for two migration Jobs started at once: a session advisory lock per
schema lets one ``mlp migrate`` run at a time (the second waits, then finds nothing to do); each
revision runs in its own transaction (so a revision may build an index ``CONCURRENTLY`` in an
``autocommit_block``); ``lock_timeout`` bounds how long a DDL statement queues behind live
traffic's locks (it fails instead of stalling every query queued behind it, and the Job retries).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from importlib.resources import files

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from mlp.common.runtime.database import async_database_url

VERSION_TABLE = "alembic_version"
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0


def alembic_config(
    package: str, database_url: str | None = None, lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
) -> Config:
    """Config for the migrations shipped inside ``package`` (e.g. ``mlp.identity``)."""
    config = Config()
    config.set_main_option("script_location", str(files(package) / "migrations"))
    config.attributes["lock_timeout_ms"] = max(1, int(lock_timeout_seconds * 1000))
    if database_url:
        config.set_main_option("sqlalchemy.url", async_database_url(database_url).replace("%", "%%"))
    return config


def upgrade_to_head(
    package: str, database_url: str, lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
) -> None:
    command.upgrade(alembic_config(package, database_url, lock_timeout_seconds), "head")


def downgrade_to(
    package: str, database_url: str, revision: str, lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
) -> None:
    command.downgrade(alembic_config(package, database_url, lock_timeout_seconds), revision)


def head_revision(package: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(package)).get_current_head()


def older_revisions(package: str) -> frozenset[str]:
    """Revisions before head: a schema at one of these is behind this code. A revision this
    code does not know is ahead of it (a newer release migrated first) and is fine."""
    scripts = ScriptDirectory.from_config(alembic_config(package))
    head = scripts.get_current_head()
    return frozenset(s.revision for s in scripts.walk_revisions() if s.revision != head)


async def current_revision(conn: AsyncConnection, schema: str) -> str | None:
    exists = await conn.scalar(text("SELECT to_regclass(:t)"), {"t": f"{schema}.{VERSION_TABLE}"})
    if exists is None:
        return None
    revision = await conn.scalar(text(f'SELECT version_num FROM "{schema}".{VERSION_TABLE}'))
    return None if revision is None else str(revision)


def run_migrations(metadata: MetaData, schema: str, ignore_tables: Collection[str] = ()) -> None:
    """Body of a service's ``env.py``: migrate only ``schema``, keep the version table there.

    ``ignore_tables`` are tables of ``schema`` that its migrations create but its SQLAlchemy
    metadata does not describe (a library's own tables, e.g. pgqueuer's job queue):
    autogenerate and ``alembic check`` leave them, and their indexes, alone.
    """

    def include_name(name: str | None, type_: str, _parents: object) -> bool:
        if type_ == "schema":
            return name == schema
        return not (type_ == "table" and name in ignore_tables)

    lock_timeout_ms = int(context.config.attributes.get("lock_timeout_ms", DEFAULT_LOCK_TIMEOUT_SECONDS * 1000))
    lock_key = f"mlp.migrate.{schema}"

    def take_lock(connection: Connection) -> None:
        """Polled, committing between tries: a session blocked in ``pg_advisory_lock`` holds a
        snapshot that the other runner's ``CREATE INDEX CONCURRENTLY`` would wait for (deadlock)."""
        while True:
            taken = connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": lock_key})
            connection.commit()
            if taken:
                return
            time.sleep(0.5)

    def migrate(connection: Connection) -> None:
        take_lock(connection)
        connection.execute(text(f"SET lock_timeout = {lock_timeout_ms}"))
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table_schema=schema,
                include_schemas=True,
                include_name=include_name,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": lock_key})
            connection.commit()

    async def run() -> None:
        engine = create_async_engine(context.config.get_main_option("sqlalchemy.url") or "")
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())
