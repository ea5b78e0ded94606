"""evaluation's outbox: the shared transactional outbox, plus the run jobs its workers take."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.common.runtime.outbox import Outbox
from mlp.evaluation.adapters.db.tables import SCHEMA

RUN_ENTRYPOINT: Final = "evaluation.run"
"""A job whose payload is a run id: the worker executes (or resumes) that run."""


class QueueOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._outbox = Outbox(conn, SCHEMA)

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        await self._outbox.audit(events)

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        await self._outbox.usage(events)

    async def enqueue_run(self, run_id: uuid.UUID) -> None:
        await self._outbox.enqueue(RUN_ENTRYPOINT, [str(run_id).encode()], dedupe_keys=[f"run:{run_id}"])
