"""The ports fine-tuning jobs use: their repository, the outbox, the transaction around both."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.registry.domain.models import ModelRef, ModelVersion, NewVersion
from mlp.registry.domain.tune_jobs import ModelSpec, TuneEvent, TuneJob

TUNE_JOB_ENTRYPOINT = "registry.run_tune_job"

ResolveModel = Callable[[uuid.UUID, ModelSpec], Awaitable[ModelVersion]]
"""The caller's model version named ``name:version`` or ``name@alias`` (NotFound otherwise)."""

ReadExamples = Callable[[uuid.UUID, uuid.UUID, int | None], Awaitable["Examples"]]
"""The examples of a dataset or of a JSONL file, by (user id, id, dataset version): the dataset's
latest ready version when the version is None. NotFound when they cannot be read."""


@dataclass(frozen=True)
class Examples:
    columns: list[str]
    pages: AsyncIterable[list[list[Any]]]
    """The rows, a page at a time (read once): a dataset's are not all held in memory."""
    dataset_id: uuid.UUID | None
    """The dataset read; None when the id was a JSONL file's."""
    dataset_version: int | None = None
    """The version of the dataset read; None for a JSONL file."""


async def one_page(rows: list[list[Any]]) -> AsyncIterator[list[list[Any]]]:
    """Rows already in memory (a JSONL file, bounded by ``tune_max_file_bytes``) as a single page."""
    yield rows


class TuneJobRepository(Protocol):
    async def add(self, job: TuneJob) -> None: ...

    async def get(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob | None: ...

    async def page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> list[TuneJob]:
        """Newest first, after the job ``after`` (in that order)."""
        ...

    async def save(self, job: TuneJob) -> None: ...

    async def add_event(self, event: TuneEvent) -> None: ...

    async def events(
        self, user_id: uuid.UUID, job_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> list[TuneEvent]:
        """Newest first, after the event ``after``."""
        ...

    async def model_of_version(self, version_id: uuid.UUID) -> uuid.UUID:
        """The model a (base) version belongs to."""
        ...

    async def artifact_uri_of_version(self, version_id: uuid.UUID) -> str | None:
        """The (base) version's artifact URI: the model the trainer is asked to fine-tune."""
        ...

    async def version_made_by(self, job_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
        """The version a job already registered (id, number): a re-run registers none twice."""
        ...


class VersionRegistrar(Protocol):
    """Registers the version a succeeded job made (the model registry's ModelVersions)."""

    async def create(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion) -> ModelVersion: ...


class TuneOutbox(Protocol):
    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...

    async def usage(self, events: Sequence[UsageEventIn]) -> None: ...

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str] | None = None
    ) -> None: ...


class TuneUnitOfWork(Protocol):
    jobs: TuneJobRepository
    outbox: TuneOutbox

    async def __aenter__(self) -> TuneUnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class TrainerState:
    """What the trainer says of a job: ``status`` is queued, running, succeeded, failed or cancelled."""

    status: str
    trained_tokens: int | None = None
    fine_tuned_model: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None


class TrainerRefused(Exception):
    """The trainer refused the files or the job (a 4xx no retry can fix); the message is its reason."""


class Trainer(Protocol):
    async def find(self, job_id: uuid.UUID) -> str | None:
        """The trainer's id of the job already started for this tune job, if any (a worker that
        started it may have died before saving the id)."""
        ...

    async def start(self, job: TuneJob, base_model: str, training: bytes, validation: bytes | None) -> str:
        """Hands the trainer the training (and validation) JSONL and starts fine-tuning
        ``base_model`` (the trainer's name of it), marked with the job's id for ``find``; the
        trainer's id of the job. TrainerRefused when it says no."""
        ...

    async def poll(self, external_id: str) -> TrainerState: ...

    async def cancel(self, external_id: str) -> None: ...
