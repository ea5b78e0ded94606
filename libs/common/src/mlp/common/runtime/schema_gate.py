"""Workers take no job until their schema is at (or ahead of) their code's migrations.

In a rolling deploy a new worker may start before the migration Job has run; it would take jobs
whose SQL needs columns that do not exist yet. It waits instead, polling the version table.
"""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from mlp.common.runtime.migrations import VERSION_TABLE, head_revision, older_revisions

_log = structlog.get_logger("worker")


async def schema_revision(pool: asyncpg.Pool, schema: str) -> str | None:
    async with pool.acquire() as conn:
        if await conn.fetchval("SELECT to_regclass($1)", f"{schema}.{VERSION_TABLE}") is None:
            return None
        revision = await conn.fetchval(f'SELECT version_num FROM "{schema}".{VERSION_TABLE}')
    return None if revision is None else str(revision)


async def wait_for_schema(pool: asyncpg.Pool, schema: str, package: str, poll_seconds: float = 2.0) -> str:
    """Return the schema's revision once it is this code's head or a revision this code does not
    know (a newer release migrated first); until then poll, logging once per change."""
    older = older_revisions(package)
    head = head_revision(package)
    reported: object = object()
    while True:
        current = await schema_revision(pool, schema)
        if current is not None and current not in older:
            return current
        if current != reported:
            _log.warning("waiting for migrations", schema=schema, revision=current, expected=head)
            reported = current
        await asyncio.sleep(poll_seconds)


async def schema_ready_unless_stopped(pool: asyncpg.Pool, schema: str, package: str, stop: asyncio.Event) -> bool:
    """Wait for the schema; False when told to stop first."""
    gate = asyncio.ensure_future(wait_for_schema(pool, schema, package))
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({gate, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if stopped.done():
        gate.cancel()
        return False
    stopped.cancel()
    gate.result()  # a database error stops the worker, which its supervisor restarts
    return True
