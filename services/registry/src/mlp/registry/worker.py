"""registry's worker: ``mlp worker registry`` consumes the ``registry`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats; registry's own job kinds are added
to ``entrypoints`` below. Alongside runs the deployment prober (pending -> ready | failed, ready <->
degraded).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from mlp.common.egress.guard import egress_guard
from mlp.common.egress.httpx_transport import guarded_http_client
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import Entrypoint, run_service_worker
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.db.retention import registry_retention
from mlp.registry.adapters.db.tables import SCHEMA
from mlp.registry.adapters.openai_trainer import OpenAITrainer
from mlp.registry.application.tune_ports import TUNE_JOB_ENTRYPOINT
from mlp.registry.files_wiring import files_part
from mlp.registry.serving_wiring import build_prober, upstream_client
from mlp.registry.settings import RegistrySettings, registry_settings
from mlp.registry.tune_wiring import examples_reader, tune_runner


async def run_worker(settings: RegistrySettings) -> None:
    """The queue consumer (files, datasets and the outbox), and next to it the deployment prober
    (every ``deployment_probe_interval_seconds``)."""
    engine = create_engine(settings.database_url, pool_size=settings.worker_db_pool_size)
    guard = egress_guard(settings)
    upstream = upstream_client(guard, settings)
    prober = build_prober(engine, settings, registry_outbox, upstream)
    trainer = OpenAITrainer(settings.trainer_url, settings.trainer_api_key, guarded_http_client(guard, timeout=30.0))
    probes = asyncio.create_task(prober.run(settings.deployment_probe_interval_seconds), name="deployment-prober")
    try:
        async with files_part(settings) as files:
            examples = examples_reader(files.dataset_reads, files.files, settings.tune_max_file_bytes)
            tuning = tune_runner(engine, registry_outbox, trainer, examples, settings.tune_poll_seconds)
            entrypoints = {
                **files.job_handlers(settings.csv_ingest_concurrency),
                TUNE_JOB_ENTRYPOINT: Entrypoint(tuning.run),
            }
            await run_service_worker(
                settings, "registry", SCHEMA, entrypoints=entrypoints, retention=registry_retention(settings)
            )
    finally:
        probes.cancel()
        with suppress(asyncio.CancelledError):
            await probes
        await upstream.aclose()
        await trainer.aclose()
        await engine.dispose()


def main() -> None:
    settings = registry_settings()
    configure_logging("registry", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
