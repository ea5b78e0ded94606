"""The worker's fine-tuning job: validating_files -> queued -> running -> succeeded | failed |
cancelled. It turns the pinned examples into the trainer's JSONL, starts the trainer's job, then
mirrors what the trainer says of it until it ends.

Idempotent: a re-run (the worker died) re-attaches to the trainer's job it already started, found
by the job's id even when the worker died before saving the trainer's id, and never registers a
second version for one job."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal

import msgspec

from mlp.common.contracts.usage import TUNE_TOKENS_TRAINED, UsageEventIn
from mlp.registry.application.models_ports import Clock, utc_now
from mlp.registry.application.tune_ports import (
    ReadExamples,
    Trainer,
    TrainerRefused,
    TrainerState,
    TuneUnitOfWork,
    VersionRegistrar,
)
from mlp.registry.application.tune_transitions import TuneTransitions
from mlp.registry.domain.errors import NotFound
from mlp.registry.domain.models import Artifact, NewVersion, VersionSource
from mlp.registry.domain.tune_jobs import TuneJob
from mlp.registry.domain.tune_training_file import training_jsonl

Sleep = Callable[[float], Awaitable[None]]


class TuneRunner:
    def __init__(
        self,
        uow: Callable[[], TuneUnitOfWork],
        trainer: Trainer,
        versions: VersionRegistrar,
        read_examples: ReadExamples,
        poll_seconds: float,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._uow = uow
        self._trainer = trainer
        self._versions = versions
        self._read_examples = read_examples
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._sleep = sleep
        self._states = TuneTransitions(uow, clock)

    async def run(self, payload: bytes) -> None:
        ids = msgspec.json.decode(payload)
        job = await self._states.current(uuid.UUID(ids["user_id"]), uuid.UUID(ids["job_id"]))
        if job is not None and job.external_job_id is None:
            job = await self._start(job)
        if job is not None:
            await self._follow(job)

    async def _start(self, job: TuneJob) -> TuneJob | None:
        """The job queued at the trainer, or None when it ended (its examples are gone, or the
        trainer refused them)."""
        external = await self._trainer.find(job.id)
        if external is not None:
            message = f"Re-attached to the trainer's job {external}"
        else:
            try:
                training = await self._jsonl(job, job.training_file, job.training_dataset_version)
                validation = None
                if job.validation_file is not None:
                    validation = await self._jsonl(job, job.validation_file, job.validation_dataset_version)
                external = await self._trainer.start(job, await self._base_model(job), training, validation)
            except NotFound as gone:
                await self._fail(job, f"the examples cannot be read any more: {gone.detail}")
                return None
            except TrainerRefused as refused:
                await self._fail(job, f"the trainer refused the job: {refused}")
                return None
            message = f"Training files uploaded; the trainer's job {external} is queued"
        queued = await self._states.move(job, "queued", "info", message, external_job_id=external)
        if queued is None:
            await self._trainer.cancel(external)
        return queued

    async def _fail(self, job: TuneJob, error: str) -> None:
        """Failed for good: no retry can read gone examples or change the trainer's mind."""
        await self._states.move(job, "failed", "error", f"Job failed: {error}", error=error)

    async def _base_model(self, job: TuneJob) -> str:
        """The trainer's name of the base model: the version's artifact URI (a provider's model
        id such as ``gpt-4o-mini-2024-07-18``, the ``ft:`` id an earlier job registered, or weights
        a self-hosted trainer loads); a version whose artifact is an uploaded file has none, and
        the trainer is then asked for the job's own ``name:version``."""
        async with self._uow() as uow:
            uri = await uow.jobs.artifact_uri_of_version(job.base_model_version_id)
        return uri or job.model

    async def _jsonl(self, job: TuneJob, file_id: str, dataset_version: int | None) -> bytes:
        examples = await self._read_examples(job.user_id, uuid.UUID(file_id), dataset_version)
        return training_jsonl(examples.columns, [row async for page in examples.pages for row in page])

    async def _follow(self, job: TuneJob) -> None:
        assert job.external_job_id is not None
        while True:
            state = await self._trainer.poll(job.external_job_id)
            current = await self._states.current(job.user_id, job.id)
            if current is None:
                await self._trainer.cancel(job.external_job_id)
                return
            if state.status == "succeeded":
                await self._succeed(current, state)
                return
            if state.status == "failed":
                error = state.error or "the trainer says failed"
                await self._states.move(current, "failed", "error", f"Training failed: {error}", error=error)
                return
            if state.status == "cancelled":
                await self._states.move(current, "cancelled", "warn", "The trainer cancelled the job")
                return
            if state.status == "running" and current.status != "running":
                await self._states.move(current, "running", "info", "Training is running")
            await self._sleep(self._poll_seconds)

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
        fine_tuned = f"{name}:{made[1]}"
        usage = []
        if state.trained_tokens:
            usage.append(
                UsageEventIn(
                    event_id=f"tune:{job.id}",
                    user_id=job.user_id,
                    metric=TUNE_TOKENS_TRAINED,
                    quantity=Decimal(state.trained_tokens),
                    timestamp=self._clock(),
                    properties={"tune_job_id": str(job.id), "model": fine_tuned},
                )
            )
        await self._states.move(
            job,
            "succeeded",
            "info",
            f"Training succeeded: registered {fine_tuned}",
            usage,
            result_model_version_id=made[0],
            fine_tuned_model=fine_tuned,
            trained_tokens=state.trained_tokens,
        )
