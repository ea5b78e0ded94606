"""The worker's writes of a fine-tuning job's state: each move saves the job, a TuneEvent (the
events endpoint) and an OperationEvent for identity's audit trail (the outbox), in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.models_ports import Clock
from mlp.registry.application.tune_ports import TuneUnitOfWork
from mlp.registry.domain.tune_jobs import FINISHED, TuneEvent, TuneJob


def tune_status_event(job: TuneJob, from_status: str, at: datetime) -> OperationEventIn:
    """``tune_job.<status>`` (queued, running, succeeded, failed, cancelled); a failure's outcome
    is ``failure``."""
    details = {
        "from_status": from_status,
        "model": job.model,
        "external_job_id": job.external_job_id,
        "fine_tuned_model": job.fine_tuned_model,
        "error": job.error,
    }
    outcome = "failure" if job.status == "failed" else "success"
    return registry_event(job.user_id, f"tune_job.{job.status}", "tune_job", job.id, at, outcome, **details)


class TuneTransitions:
    def __init__(self, uow: Callable[[], TuneUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def current(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob | None:
        """The job, unless it is gone or finished (cancelled by its owner, for one)."""
        async with self._uow() as uow:
            job = await uow.jobs.get(user_id, job_id)
        return job if job is not None and job.status not in FINISHED else None

    async def move(
        self,
        job: TuneJob,
        status: str,
        level: str,
        message: str,
        usage: Sequence[UsageEventIn] = (),
        **changes: Any,
    ) -> TuneJob | None:
        """The job moved to ``status`` (with ``changes``); None, and nothing written, when it is
        gone or finished meanwhile."""
        now = self._clock()
        async with self._uow() as uow:
            current = await uow.jobs.get(job.user_id, job.id)
            if current is None or current.status in FINISHED:
                return None
            moved = replace(current, status=status, finished_at=now if status in FINISHED else None, **changes)
            await uow.jobs.save(moved)
            await uow.jobs.add_event(TuneEvent(uuid.uuid4(), job.id, job.user_id, now, level, message))
            await uow.outbox.audit([tune_status_event(moved, current.status, now)])
            if usage:
                await uow.outbox.usage(usage)
            await uow.commit()
        return moved
