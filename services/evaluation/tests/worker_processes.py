"""What the tests running ``mlp worker evaluation`` processes share: their environment and a poll."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fake_registry import CREDENTIAL


def worker_env(database_url: str, registry_url: str, **extra: str) -> dict[str, str]:
    """A worker against the stand-in registry (which also mints tokens and takes usage and audit)."""
    return {
        "DATABASE_URL": database_url,
        "EVALUATION_REGISTRY_URL": registry_url,
        "IDENTITY_URL": registry_url,
        "BILLING_URL": registry_url,
        "EVALUATION_SERVICE_CREDENTIAL": CREDENTIAL,
        "EVALUATION_RUN_CONCURRENCY": "4",
        "EVALUATION_OUTBOX_HEARTBEAT_TIMEOUT_SECONDS": "2",
        "EVALUATION_OUTBOX_DEQUEUE_TIMEOUT_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
        "EVALUATION_ENVIRONMENT": "development",  # peers on loopback
        **extra,
    }


async def wait_for(check: Callable[[], Any], within: float) -> Any:
    for _ in range(int(within / 0.1)):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached within {within}s")
