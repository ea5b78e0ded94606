"""Cross-service fixtures: the four services as real server processes on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mlp.devtools.processes import platform_env, start_platform, stop_all

PORT_OFFSET = 10_000  # 18001-18004, clear of `make run`'s 8001-8004


@pytest.fixture(scope="session")
def platform_env_vars(database_url: str) -> dict[str, str]:
    return platform_env(database_url, base_port_offset=PORT_OFFSET, extra={"LOG_LEVEL": "WARNING"})


@pytest.fixture(scope="session")
def platform(platform_env_vars: dict[str, str]) -> Iterator[dict[str, str]]:
    """Service name -> base URL of the running services."""
    processes = start_platform(platform_env_vars)
    yield {p.service: p.url for p in processes}
    stop_all(processes)
