"""Fine-tuning jobs: create (every problem of the examples found before anything is queued), read,
list, cancel, events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.models_ports import Clock, utc_now
from mlp.registry.application.tune_ports import (
    TUNE_JOB_ENTRYPOINT,
    Examples,
    ReadExamples,
    ResolveModel,
    TuneUnitOfWork,
)
from mlp.registry.domain.errors import InvalidInput, NotFound
from mlp.registry.domain.tune_jobs import (
    FINISHED,
    ExampleCheck,
    ExampleLimits,
    TrainingDataInvalid,
    TuneEvent,
    TuneJob,
    check_hyperparameters,
    parse_model_spec,
)

MAX_SUFFIX = 64


@dataclass(frozen=True)
class NewTuneJob:
    model: str
    training_file: str
    validation_file: str | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    suffix: str | None = None


def _dataset_id(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput("invalid-file", f"{name} {value!r} is not a dataset or file id", field=name) from None


def _missing(job_id: uuid.UUID) -> NotFound:
    return NotFound("tune-job-not-found", f"no fine-tuning job {job_id}", field="fine_tuning_job_id")


def tune_job_payload(job: TuneJob) -> bytes:
    return msgspec.json.encode({"job_id": str(job.id), "user_id": str(job.user_id)})


class TuneJobs:
    def __init__(
        self,
        uow: Callable[[], TuneUnitOfWork],
        resolve_model: ResolveModel,
        read_examples: ReadExamples,
        limits: ExampleLimits | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow
        self._resolve_model = resolve_model
        self._read_examples = read_examples
        self._limits = limits or ExampleLimits()
        self._clock = clock

    async def create(self, user_id: uuid.UUID, request: NewTuneJob) -> TuneJob:
        spec = parse_model_spec(request.model)
        hyperparameters = check_hyperparameters(request.hyperparameters)
        if request.suffix is not None and not 1 <= len(request.suffix) <= MAX_SUFFIX:
            raise InvalidInput("invalid-suffix", f"suffix has 1 to {MAX_SUFFIX} characters", field="suffix")
        training = _dataset_id(request.training_file, "training_file")
        validation = (
            _dataset_id(request.validation_file, "validation_file") if request.validation_file is not None else None
        )
        base = await self._resolve_model(user_id, spec)
        problems, trained = await self._check(user_id, "training_file", training)
        validated = None
        if validation is not None:
            more, validated = await self._check(user_id, "validation_file", validation)
            problems += more
        if problems:
            raise TrainingDataInvalid(
                "invalid-training-data", f"{len(problems)} problem(s) in the examples", problems=problems
            )
        now = self._clock()
        job = TuneJob(
            id=uuid.uuid4(),
            user_id=user_id,
            model=request.model,
            base_model_version_id=base.id,
            training_file=request.training_file,
            dataset_id=trained.dataset_id,
            training_dataset_version=trained.dataset_version,
            validation_file=request.validation_file,
            validation_dataset_version=validated.dataset_version if validated else None,
            hyperparameters=hyperparameters,
            suffix=request.suffix,
            status="validating_files",
            created_at=now,
        )
        async with self._uow() as uow:
            await uow.jobs.add(job)
            await uow.jobs.add_event(
                _event(job, now, "info", "Examples validated; preparing the training files for the trainer")
            )
            await uow.outbox.enqueue(TUNE_JOB_ENTRYPOINT, [tune_job_payload(job)], dedupe_keys=[f"tune:{job.id}"])
            await uow.outbox.audit(
                [registry_event(user_id, "tune_job.create", "tune_job", job.id, now, model=request.model)]
            )
            await uow.commit()
        return job

    async def _check(self, user_id: uuid.UUID, name: str, file_id: uuid.UUID) -> tuple[list[dict[str, Any]], Examples]:
        """The problems of the examples, and the examples read. A file or dataset that is not the
        caller's (or none at all) is a 404 naming the field, as another user's model is."""
        try:
            examples = await self._read_examples(user_id, file_id, None)
        except NotFound as missing:
            raise NotFound(missing.code, missing.detail, field=name) from None
        check = ExampleCheck(name, examples.columns, self._limits)
        async for page in examples.pages:
            check.add(page)
        return check.problems(), examples

    async def get(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob:
        async with self._uow() as uow:
            job = await uow.jobs.get(user_id, job_id)
        if job is None:
            raise _missing(job_id)
        return job

    async def list_page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> tuple[list[TuneJob], bool]:
        async with self._uow() as uow:
            jobs = await uow.jobs.page(user_id, after, limit + 1)
        return jobs[:limit], len(jobs) > limit

    async def events(
        self, user_id: uuid.UUID, job_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> tuple[list[TuneEvent], bool]:
        async with self._uow() as uow:
            if await uow.jobs.get(user_id, job_id) is None:
                raise _missing(job_id)
            events = await uow.jobs.events(user_id, job_id, after, limit + 1)
        return events[:limit], len(events) > limit

    async def cancel(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob:
        """A finished job is answered as it is (cancelling twice is harmless)."""
        now = self._clock()
        async with self._uow() as uow:
            job = await uow.jobs.get(user_id, job_id)
            if job is None:
                raise _missing(job_id)
            if job.status in FINISHED:
                return job
            job = replace(job, status="cancelled", finished_at=now)
            await uow.jobs.save(job)
            await uow.jobs.add_event(_event(job, now, "info", "Job cancelled"))
            await uow.outbox.audit([registry_event(user_id, "tune_job.cancel", "tune_job", job.id, now)])
            await uow.commit()
        return job


def _event(job: TuneJob, at: Any, level: str, message: str) -> TuneEvent:
    return TuneEvent(uuid.uuid4(), job.id, job.user_id, at, level, message)
