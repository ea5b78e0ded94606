"""evaluation's worker: ``mlp worker evaluation`` consumes the ``evaluation`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats, and runs evaluation's own job:
``evaluation.run`` (a run id), executed by :class:`RunExecutor`. A worker killed mid-run stops
heartbeating; another takes the job up again and the executor resumes at the rows not yet
recorded.
"""

from __future__ import annotations

import asyncio
import uuid

from mlp.common.runtime.database import create_engine
from mlp.common.runtime.inbox import received_events_retention
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import Entrypoint, JobFailed, run_service_worker
from mlp.evaluation.adapters.db.tables import SCHEMA
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import RUN_ENTRYPOINT, QueueOutbox
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.run_executor import RunExecutor
from mlp.evaluation.settings import EvaluationSettings, evaluation_settings
from mlp.evaluation.wiring import http_gateways, model_http_client


async def run_worker(settings: EvaluationSettings) -> None:
    engine = create_engine(
        settings.database_url, pool_size=max(settings.worker_db_pool_size, settings.run_jobs_per_worker + 1)
    )
    try:
        async with model_http_client(settings) as http:
            gateways = http_gateways(http, settings)
            limits = settings.limits()
            executor = RunExecutor(
                lambda: SqlUnitOfWork(engine, QueueOutbox),
                gateways.rows,
                RowEvaluator(gateways.chat, limits),
                gateways.tokens,
                limits,
            )

            async def execute_run(payload: bytes) -> None:
                try:
                    run_id = uuid.UUID(payload.decode())
                except ValueError as exc:
                    raise JobFailed(f"not a run id: {payload[:64]!r}") from exc
                await executor.execute(run_id)

            entrypoints = {RUN_ENTRYPOINT: Entrypoint(execute_run, concurrency_limit=settings.run_jobs_per_worker)}
            await run_service_worker(
                settings,
                "evaluation",
                SCHEMA,
                entrypoints=entrypoints,
                retention=(received_events_retention(settings.retention_received_events_days),),
            )
    finally:
        await engine.dispose()


def main() -> None:
    settings = evaluation_settings()
    configure_logging("evaluation", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
