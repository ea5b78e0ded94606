"""The worker's fine-tuning job: queued -> running -> succeeded | failed, polling the trainer.

Idempotent: a re-run (the worker died) re-attaches to the trainer's job it already started, and
never registers a second version for one job."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import msgspec

from mlp.common.contracts.usage import TUNE_TOKENS_TRAINED, UsageEventIn
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.application.models_ports import Clock, utc_now
from mlp.registry.application.tune_ports import Trainer, TrainerState, TuneUnitOfWork
from mlp.registry.domain.models import Artifact, NewVersion, VersionSource
from mlp.registry.domain.tune_jobs import FINISHED, TuneEvent, TuneJob

Sleep = Callable[[float], Awaitable[None]]


class TuneRunner:
    def __init__(
        self,
        uow: Callable[[], TuneUnitOfWork],
        trainer: Trainer,
        versions: ModelVersions,
        poll_seconds: float,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._uow = uow
        self._trainer = trainer
        self._versions = versions
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._sleep = sleep

    async def run(self, payload: bytes) -> None:
        ids = msgspec.json.decode(payload)
        user_id, job_id = uuid.UUID(ids["user_id"]), uuid.UUID(ids["job_id"])
        job = await self._current(user_id, job_id)
        if job is None:
            return
        if job.external_job_id is None:
            external = await self._trainer.start(job)
            job = await self._move(user_id, job_id, "info", f"Training started ({external})", external_job_id=external)
            if job is None:
                await self._trainer.cancel(external)
                return
        assert job.external_job_id is not None
        while True:
            state = await self._trainer.poll(job.external_job_id)
            current = await self._current(user_id, job_id)
            if current is None:
                await self._trainer.cancel(job.external_job_id)
                return
            if state.status == "succeeded":
                await self._succeed(current, state)
                return
            if state.status in ("failed", "cancelled"):
                error = state.error or f"the trainer says {state.status}"
                await self._move(user_id, job_id, "error", f"Training failed: {error}", status="failed", error=error)
                return
            await self._sleep(self._poll_seconds)

    async def _current(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob | None:
        """The job, unless it is gone or finished (cancelled by its owner, for one)."""
        async with self._uow() as uow:
            job = await uow.jobs.get(user_id, job_id)
        return job if job is not None and job.status not in FINISHED else None

    async def _move(
        self, user_id: uuid.UUID, job_id: uuid.UUID, level: str, message: str, **changes: Any
    ) -> TuneJob | None:
        now = self._clock()
        async with self._uow() as uow:
            job = await uow.jobs.get(user_id, job_id)
            if job is None or job.status in FINISHED:
                return None
            status = changes.pop("status", "running")
            finished = now if status in FINISHED else None
            job = replace(job, status=status, finished_at=finished, **changes)
            await uow.jobs.save(job)
            await uow.jobs.add_event(TuneEvent(uuid.uuid4(), job.id, user_id, now, level, message))
            await uow.commit()
        return job

    async def _succeed(self, job: TuneJob, state: TrainerState) -> None:
        async with self._uow() as uow:
            model_id = await uow.jobs.model_of_version(job.base_model_version_id)
            made = await uow.jobs.version_made_by(job.id)
        if made is None:
            version = await self._versions.create(
                job.user_id,
                model_id,
                NewVersion(
                    artifact=Artifact(uri=state.fine_tuned_model or f"tune://{job.external_job_id}"),
                    source=VersionSource(kind="tune_job", tune_job_id=job.id),
                    description=f"fine-tuned from {job.model}" + (f" ({job.suffix})" if job.suffix else ""),
                    metrics=state.metrics,
                    params={k: v for k, v in job.hyperparameters.items() if v != "auto"},
                ),
            )
            made = (version.id, version.version)
            name = version.model_name
        else:
            name = job.model.split("@")[0].rsplit(":", 1)[0]
        now = self._clock()
        async with self._uow() as uow:
            current = await uow.jobs.get(job.user_id, job.id)
            if current is None or current.status in FINISHED:
                return
            done = replace(
                current,
                status="succeeded",
                finished_at=now,
                result_model_version_id=made[0],
                fine_tuned_model=f"{name}:{made[1]}",
                trained_tokens=state.trained_tokens,
            )
            await uow.jobs.save(done)
            message = f"Training succeeded: registered {done.fine_tuned_model}"
            await uow.jobs.add_event(TuneEvent(uuid.uuid4(), job.id, job.user_id, now, "info", message))
            if state.trained_tokens:
                await uow.outbox.usage(
                    [
                        UsageEventIn(
                            event_id=f"tune:{job.id}",
                            user_id=job.user_id,
                            metric=TUNE_TOKENS_TRAINED,
                            quantity=Decimal(state.trained_tokens),
                            timestamp=now,
                            properties={"tune_job_id": str(job.id), "model": done.fine_tuned_model},
                        )
                    ]
                )
            await uow.commit()
