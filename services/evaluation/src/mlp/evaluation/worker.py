"""evaluation's worker: ``mlp worker evaluation`` consumes the ``evaluation`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats, and runs evaluation's own job:
``evaluation.run`` (a run id), executed by :class:`RunExecutor`. A worker killed mid-run stops
heartbeating; another takes the job up again and the executor resumes at the rows not yet
recorded. The CPU-heavy criteria run in the worker's check processes (``EVALUATION_CHECK_PROCESSES``),
so a runaway check is stopped there and the event loop keeps heart-beating.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from mlp.common.runtime.database import create_engine
from mlp.common.runtime.inbox import received_events_retention
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import Entrypoint, JobFailed, run_service_worker
from mlp.evaluation.adapters.check_processes import check_processes
from mlp.evaluation.adapters.db.tables import SCHEMA
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import RUN_ENTRYPOINT, QueueOutbox
from mlp.evaluation.application.check_runner import CheckRunner
from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.run_executor import RunExecutor
from mlp.evaluation.settings import EvaluationSettings, evaluation_settings
from mlp.evaluation.wiring import http_gateways, model_http_client


async def run_worker(settings: EvaluationSettings) -> None:
    engine = create_engine(
        settings.database_url, pool_size=max(settings.worker_db_pool_size, settings.run_jobs_per_worker + 1)
    )
    try:
        memory = settings.check_memory_mb * 1024 * 1024
        with check_processes(settings.check_processes, memory) as checks:
            await _serve(settings, lambda: SqlUnitOfWork(engine, QueueOutbox), checks)
    finally:
        await engine.dispose()


async def _serve(settings: EvaluationSettings, uow: Callable[[], UnitOfWork], checks: CheckRunner) -> None:
    async with model_http_client(settings) as http:
        gateways = http_gateways(http, settings)
        limits = settings.limits()
        executor = RunExecutor(
            uow,
            gateways.rows,
            RowEvaluator(gateways.chat, checks, limits),
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


def main() -> None:
    settings = evaluation_settings()
    configure_logging("evaluation", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
