"""evaluation's worker: ``mlp worker evaluation`` consumes the ``evaluation`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats; evaluation's own job kinds are added
to ``entrypoints`` below.
"""

from __future__ import annotations

import asyncio

from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import run_service_worker
from mlp.evaluation.adapters.db.tables import SCHEMA
from mlp.evaluation.settings import EvaluationSettings, evaluation_settings


async def run_worker(settings: EvaluationSettings) -> None:
    await run_service_worker(settings, "evaluation", SCHEMA, entrypoints={})


def main() -> None:
    settings = evaluation_settings()
    configure_logging("evaluation", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
