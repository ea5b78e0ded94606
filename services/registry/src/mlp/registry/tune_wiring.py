"""Fine-tuning's part of registry's composition root: routes, error mapping, the use case."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.registry.adapters.db.models_unit_of_work import SqlModelsUnitOfWork
from mlp.registry.adapters.db.tune_jobs_repository import SqlTuneUnitOfWork
from mlp.registry.api.tune_jobs import on_training_data_invalid
from mlp.registry.application.dataset_reads import DatasetReads
from mlp.registry.application.files import Files
from mlp.registry.application.model_aliases import ModelAliases
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.application.tune_jobs import TuneJobs
from mlp.registry.application.tune_ports import (
    Examples,
    ReadExamples,
    ResolveModel,
    Trainer,
    TuneOutbox,
    TuneUnitOfWork,
    one_page,
)
from mlp.registry.application.tune_runner import TuneRunner
from mlp.registry.domain.errors import NotFound
from mlp.registry.domain.models import ModelVersion
from mlp.registry.domain.models_errors import ModelNotFound
from mlp.registry.domain.tune_jobs import ExampleLimits, ModelSpec, TrainingDataInvalid, jsonl_examples
from mlp.registry.settings import RegistrySettings

TUNE_USE_CASES = ("tune_jobs",)
TUNE_ERROR_HANDLERS: ExceptionHandlersMap = {TrainingDataInvalid: on_training_data_invalid}


def model_resolver(versions: ModelVersions, aliases: ModelAliases) -> ResolveModel:
    async def resolve(user_id: uuid.UUID, spec: ModelSpec) -> ModelVersion:
        """Another user's model looks like none at all: a 404 naming ``model``."""
        try:
            if spec.alias is not None:
                return await aliases.resolve(user_id, spec.name, spec.alias)
            assert spec.version is not None
            return await versions.get(user_id, spec.name, spec.version)
        except ModelNotFound as missing:
            raise NotFound("model-not-found", missing.detail, field="model") from None

    return resolve


def examples_reader(reads: DatasetReads, files: Files, max_file_bytes: int) -> ReadExamples:
    """A dataset's rows, or else (the id is no dataset of the caller's) a JSONL file's lines."""

    async def read(user_id: uuid.UUID, some_id: uuid.UUID, number: int | None) -> Examples:
        try:
            version = await reads.ready_version(user_id, some_id, number)
        except NotFound as no_dataset:
            if no_dataset.code != "dataset-not-found":
                raise
            return await read_file(user_id, some_id)

        async def pages() -> AsyncIterator[list[list[Any]]]:
            async for page in reads.all_rows(version):
                yield [list(cells) for _, cells in page]

        return Examples([column.name for column in version.columns], pages(), some_id, version.version)

    async def read_file(user_id: uuid.UUID, file_id: uuid.UUID) -> Examples:
        try:
            stored = await files.get(user_id, file_id)
        except NotFound:
            raise NotFound("file-not-found", f"no dataset or file {file_id}") from None
        if stored.size_bytes > max_file_bytes:
            raise NotFound("file-too-large", f"file {file_id} is over {max_file_bytes} bytes")
        data = b"".join([chunk async for chunk in files.content(stored)])
        return Examples(["messages"], one_page(jsonl_examples(data)), None)

    return read


def tune_lifespan(
    settings: RegistrySettings, outbox: Callable[[AsyncConnection], TuneOutbox]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """After the files' and models' lifespans: uses their use cases from ``app.state``."""

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        engine = app.state.engine

        def uow() -> TuneUnitOfWork:
            return SqlTuneUnitOfWork(engine, outbox)

        limits = ExampleLimits(settings.tune_min_examples, settings.tune_max_example_chars)
        app.state.tune_jobs = TuneJobs(
            uow,
            model_resolver(app.state.model_versions, app.state.model_aliases),
            examples_reader(app.state.dataset_reads, app.state.files, settings.tune_max_file_bytes),
            limits,
        )
        yield

    return wire


def tune_runner(
    engine: AsyncEngine,
    outbox: Callable[[AsyncConnection], TuneOutbox],
    trainer: Trainer,
    read_examples: ReadExamples,
    poll_seconds: float,
) -> TuneRunner:
    """The worker's fine-tuning job handler, on the real SQL adapters."""
    versions = ModelVersions(lambda read_only=False: SqlModelsUnitOfWork(engine, outbox, read_only=read_only))
    return TuneRunner(lambda: SqlTuneUnitOfWork(engine, outbox), trainer, versions, read_examples, poll_seconds)
