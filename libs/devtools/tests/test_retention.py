"""Retention: expired rows go in bounded batches, one replica at a time, from every worker."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from mlp.billing.adapters.db.retention import billing_retention
from mlp.billing.settings import BillingSettings
from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.common.runtime.retention import RetentionRule, delete_expired, retention_round
from mlp.identity.adapters.db.retention import identity_retention
from mlp.identity.settings import IdentitySettings
from mlp.registry.adapters.db.retention import registry_retention
from mlp.registry.settings import RegistrySettings

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LOG = RetentionRule("log", "created_at", timedelta(days=30), "kind <> 'keep'")


@pytest.fixture
async def pool(empty_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(plain_database_url(empty_database_url), min_size=1, max_size=3)
    await pool.execute("CREATE SCHEMA t; CREATE TABLE t.log (id int, created_at timestamptz, kind text)")
    yield pool
    await pool.close()


async def _insert(pool: asyncpg.Pool, count: int, age: timedelta, kind: str = "x") -> None:
    await pool.executemany("INSERT INTO t.log VALUES ($1, $2, $3)", [(i, NOW - age, kind) for i in range(count)])


async def test_expired_rows_go_in_batches_and_the_rest_stays(pool: asyncpg.Pool) -> None:
    await _insert(pool, 25, timedelta(days=31))
    await _insert(pool, 5, timedelta(days=29))
    await _insert(pool, 3, timedelta(days=90), kind="keep")
    assert await delete_expired(pool, "t", LOG, NOW, batch=10) == 25
    assert await pool.fetchval("SELECT count(*) FROM t.log") == 8


async def test_one_replica_at_a_time_runs_a_round(pool: asyncpg.Pool) -> None:
    await _insert(pool, 4, timedelta(days=31))
    async with pool.acquire() as other:
        await other.execute("SELECT pg_advisory_lock(hashtext('mlp.retention.t'))")
        assert await retention_round(pool, "t", [LOG], NOW, batch=10) is None
        await other.execute("SELECT pg_advisory_unlock(hashtext('mlp.retention.t'))")
    assert await retention_round(pool, "t", [LOG], NOW, batch=10) == {"log": 4}


async def test_every_service_rule_names_real_tables_and_columns(database_url: str) -> None:
    """A round of each service's rules runs on its migrated schema (a typo would be an SQL error)."""
    rules = {
        "identity": identity_retention(IdentitySettings()),
        "registry": registry_retention(RegistrySettings()),
        "billing": billing_retention(BillingSettings()),
    }
    pool = await asyncpg.create_pool(plain_database_url(database_url), min_size=1, max_size=2)
    try:
        for schema, service_rules in rules.items():
            deleted = await retention_round(pool, schema, service_rules, NOW - timedelta(days=3650), batch=10)
            assert deleted is not None
            assert set(deleted) == {rule.table for rule in service_rules}
    finally:
        await pool.close()


async def test_a_running_worker_deletes_the_queue_log_and_the_inbox_past_retention(empty_database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, "mlp.evaluation", empty_database_url)
    conn = await asyncpg.connect(plain_database_url(empty_database_url))
    try:
        await conn.execute(
            "INSERT INTO evaluation.pgqueuer_log (created, job_id, status, priority, entrypoint)"
            " VALUES (now() - interval '20 days', 1, 'successful', 0, 'x'), (now(), 2, 'successful', 0, 'x')"
        )
        await conn.execute(
            "INSERT INTO evaluation.received_events (event_id, kind, user_id, received_at)"
            " VALUES (gen_random_uuid(), 'user.deleted', gen_random_uuid(), now() - interval '40 days')"
        )
        env = {
            **os.environ,
            "EVALUATION_DATABASE_URL": empty_database_url,
            "RETENTION_INTERVAL_SECONDS": "0.2",
            "WORKER_METRICS_PORT": "0",
            "EVALUATION_ENVIRONMENT": "development",  # its peers are left at their loopback defaults
        }
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mlp.common.runtime.cli", "worker", "evaluation", env=env
        )
        try:
            for _ in range(600):  # the worker starts in 1-10 s on a loaded machine
                old_jobs = await conn.fetchval("SELECT count(*) FROM evaluation.pgqueuer_log WHERE job_id = 1")
                inbox = await conn.fetchval("SELECT count(*) FROM evaluation.received_events")
                if old_jobs == 0 and inbox == 0:
                    break
                await asyncio.sleep(0.1)
            assert (old_jobs, inbox) == (0, 0)
            assert await conn.fetchval("SELECT count(*) FROM evaluation.pgqueuer_log WHERE job_id = 2") == 1
        finally:
            worker.terminate()
            await worker.wait()
    finally:
        await conn.close()
