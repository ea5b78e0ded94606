"""The worker's queue pool is visible to Prometheus: connections in use against its maximum (the
DB-pool saturation alert reads both)."""

from __future__ import annotations

import asyncpg
from prometheus_client import REGISTRY

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.worker_metrics import watch_worker_pool


def sample(name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": "pooltest"})


async def test_connections_in_use_and_the_pools_size(database_url: str) -> None:
    pool = await asyncpg.create_pool(plain_database_url(database_url), min_size=1, max_size=3)
    try:
        watch_worker_pool("pooltest", pool)
        assert sample("mlp_worker_db_pool_size") == 3
        assert sample("mlp_worker_db_pool_connections_in_use") == 0
        async with pool.acquire(), pool.acquire():
            assert sample("mlp_worker_db_pool_connections_in_use") == 2
        assert sample("mlp_worker_db_pool_connections_in_use") == 0
    finally:
        await pool.close()
