"""registry's worker: ``mlp worker registry`` consumes the ``registry`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats; registry's own job kinds are added
to ``entrypoints`` below.
"""

from __future__ import annotations

import asyncio

from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import run_service_worker
from mlp.registry.adapters.db.tables import SCHEMA
from mlp.registry.files_wiring import files_part
from mlp.registry.settings import RegistrySettings, registry_settings


async def run_worker(settings: RegistrySettings) -> None:
    async with files_part(settings) as files:
        entrypoints = {**files.job_handlers(settings.csv_ingest_concurrency)}
        await run_service_worker(settings, "registry", SCHEMA, entrypoints=entrypoints)


def main() -> None:
    settings = registry_settings()
    configure_logging("registry", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
