"""Deleting rows that have outlived their retention, in bounded batches, from every worker.

Each service lists its rules (table, time column, how long to keep, an optional fixed condition
such as "ended sessions only"); the shared worker runs them every ``retention_interval_seconds``.
A batch is one short transaction (``DELETE ... WHERE ctid = ANY(ARRAY(SELECT ... LIMIT n))``), so
a large backlog never holds locks or bloats one transaction; one replica at a time runs a round
(a session advisory lock per schema), the others skip it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import structlog
from prometheus_client import Counter

_log = structlog.get_logger("retention")
DELETED = Counter("mlp_retention_deleted_rows_total", "Rows deleted by retention", ["table"])


@dataclass(frozen=True)
class RetentionRule:
    table: str
    time_column: str
    keep: timedelta
    condition: str = "TRUE"
    """Fixed SQL written by the service (never input): which rows the rule may delete."""


def _delete_batch_sql(schema: str, rule: RetentionRule) -> str:
    table = f'"{schema}"."{rule.table}"'
    return (
        f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
        f'SELECT ctid FROM {table} WHERE "{rule.time_column}" < $1 AND ({rule.condition}) LIMIT $2))'
    )


async def delete_expired(pool: asyncpg.Pool, schema: str, rule: RetentionRule, now: datetime, batch: int) -> int:
    """Delete ``rule``'s expired rows, ``batch`` at a time; the number deleted."""
    sql, cutoff, total = _delete_batch_sql(schema, rule), now - rule.keep, 0
    while True:
        status = await pool.execute(sql, cutoff, batch)
        deleted = int(status.rsplit(" ", 1)[-1])
        total += deleted
        DELETED.labels(f"{schema}.{rule.table}").inc(deleted)
        if deleted < batch:
            return total
        await asyncio.sleep(0)


async def retention_round(
    pool: asyncpg.Pool, schema: str, rules: Sequence[RetentionRule], now: datetime, batch: int
) -> dict[str, int] | None:
    """One round over ``rules``; None when another replica holds the round."""
    async with pool.acquire() as lock:
        key = f"mlp.retention.{schema}"
        if not await lock.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            return None
        try:
            deleted: dict[str, int] = {}
            for rule in rules:
                deleted[rule.table] = deleted.get(rule.table, 0) + await delete_expired(pool, schema, rule, now, batch)
            return deleted
        finally:
            await lock.execute("SELECT pg_advisory_unlock(hashtext($1))", key)


async def run_retention(
    pool: asyncpg.Pool,
    schema: str,
    rules: Sequence[RetentionRule],
    clock: Callable[[], datetime],
    interval_seconds: float,
    batch: int,
) -> None:
    """Rounds forever, ``interval_seconds`` apart; a failed round is logged and the next one runs."""
    while True:
        try:
            deleted = await retention_round(pool, schema, rules, clock(), batch)
            if deleted and any(deleted.values()):
                _log.info("retention round", schema=schema, deleted=deleted)
        except (asyncpg.PostgresError, OSError):
            _log.warning("retention round failed", schema=schema, exc_info=True)
        await asyncio.sleep(interval_seconds)
