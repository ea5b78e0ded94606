"""``mlp migrate`` under a rolling deploy: two Jobs at once, and live traffic holding locks."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import asyncpg
import pytest
from alembic import command

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import alembic_config, head_revision, upgrade_to_head
from mlp.common.runtime.schema_gate import wait_for_schema
from mlp.devtools.databases import SERVICES


async def _revision(database_url: str, schema: str) -> str | None:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        return await conn.fetchval(f'SELECT version_num FROM "{schema}".alembic_version')  # type: ignore[no-any-return]
    finally:
        await conn.close()


async def _mlp_migrate(service: str, database_url: str) -> int:
    env = {**os.environ, "DATABASE_URL": database_url, f"{service.upper()}_DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mlp.common.runtime.cli", "migrate", service, env=env
    )
    return await process.wait()


@pytest.mark.parametrize("service", SERVICES)
async def test_two_migration_jobs_started_at_once_both_succeed(service: str, empty_database_url: str) -> None:
    """The advisory lock serialises them: the second waits, then finds the schema at head."""
    codes = await asyncio.gather(_mlp_migrate(service, empty_database_url), _mlp_migrate(service, empty_database_url))
    assert codes == [0, 0]
    assert await _revision(empty_database_url, service) == head_revision(f"mlp.{service}")


async def test_a_migration_behind_a_held_lock_gives_up_and_leaves_the_schema_as_it_was(
    empty_database_url: str,
) -> None:
    """A reader holding its table lock makes the next revision fail after lock_timeout, not hang;
    the failed revision is rolled back alone (each revision is its own transaction)."""
    package = "mlp.billing"
    config = alembic_config(package, empty_database_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    await asyncio.to_thread(command.downgrade, config, "-1")
    before = await _revision(empty_database_url, "billing")

    reader = await asyncpg.connect(plain_database_url(empty_database_url))
    try:
        async with reader.transaction():
            await reader.execute("LOCK TABLE billing.alembic_version IN SHARE MODE")
            started = time.monotonic()
            with pytest.raises(Exception, match="lock timeout"):
                await asyncio.to_thread(upgrade_to_head, package, empty_database_url, 0.3)
            waited = time.monotonic() - started
    finally:
        await reader.close()

    assert waited < 10
    assert await _revision(empty_database_url, "billing") == before
    await asyncio.to_thread(upgrade_to_head, package, empty_database_url)
    assert await _revision(empty_database_url, "billing") == head_revision(package)


async def test_a_worker_waits_for_its_schema_then_goes(empty_database_url: str) -> None:
    package = "mlp.evaluation"
    config = alembic_config(package, empty_database_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    await asyncio.to_thread(command.downgrade, config, "-1")
    pool = await asyncpg.create_pool(plain_database_url(empty_database_url), min_size=1, max_size=2)
    try:
        gate = asyncio.ensure_future(wait_for_schema(pool, "evaluation", package, poll_seconds=0.05))
        await asyncio.sleep(0.5)
        assert not gate.done(), "a schema behind the code must hold the worker"
        await asyncio.to_thread(upgrade_to_head, package, empty_database_url)
        assert await asyncio.wait_for(gate, 5) == head_revision(package)
    finally:
        await pool.close()


async def test_a_schema_ahead_of_the_code_lets_the_worker_go(empty_database_url: str) -> None:
    """A newer release migrated first (rolling deploy): old workers keep working."""
    await asyncio.to_thread(upgrade_to_head, "mlp.evaluation", empty_database_url)
    conn = await asyncpg.connect(plain_database_url(empty_database_url))
    try:
        await conn.execute("UPDATE evaluation.alembic_version SET version_num = '9999_from_the_future'")
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(plain_database_url(empty_database_url), min_size=1, max_size=2)
    try:
        assert (
            await asyncio.wait_for(wait_for_schema(pool, "evaluation", "mlp.evaluation"), 5) == "9999_from_the_future"
        )
    finally:
        await pool.close()


async def test_mlp_migrate_downgrades_to_a_named_revision(empty_database_url: str) -> None:
    """The rollback procedure of deploy/README: ``mlp migrate <service> --downgrade-to REV``."""
    await asyncio.to_thread(upgrade_to_head, "mlp.identity", empty_database_url)
    env = {**os.environ, "DATABASE_URL": empty_database_url, "IDENTITY_DATABASE_URL": empty_database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mlp.common.runtime.cli", "migrate", "identity", "--downgrade-to", "0003", env=env
    )
    assert await process.wait() == 0
    assert await _revision(empty_database_url, "identity") == "0003"
