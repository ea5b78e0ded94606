"""OpenAI-compatible fine-tuning: ``/v1/fine_tuning/jobs`` (create, list, retrieve, cancel, events)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.runtime.problems import problem_response
from mlp.common.runtime.spend_limits import refuse_when_limit_reached
from mlp.registry.application.tune_jobs import NewTuneJob, TuneJobs
from mlp.registry.domain.tune_jobs import TrainingDataInvalid, TuneEvent, TuneJob

Caller = Request[Principal, Any, Any]
READ = requires_scopes("tune:read")
WRITE = requires_scopes("tune:write")
TAGS = ["fine-tuning"]
JOBS = "/v1/fine_tuning/jobs"
JOB = JOBS + "/{fine_tuning_job_id:uuid}"


class CreateJob(msgspec.Struct, forbid_unknown_fields=False):
    """OpenAI's body: ``model`` is ``name:version`` or ``name@alias``, the files are dataset ids."""

    model: str
    training_file: str
    validation_file: str | None = None
    hyperparameters: dict[str, Any] = msgspec.field(default_factory=dict)
    suffix: str | None = None
    seed: int | None = None


class JobError(msgspec.Struct):
    code: str
    message: str
    param: str | None = None


class JobView(msgspec.Struct):
    id: str
    created_at: int
    model: str
    fine_tuned_model: str | None
    status: str
    training_file: str
    validation_file: str | None
    hyperparameters: dict[str, Any]
    trained_tokens: int | None
    error: JobError | None
    finished_at: int | None
    suffix: str | None
    object: Literal["fine_tuning.job"] = "fine_tuning.job"
    organization_id: str = "org-mlp"
    result_files: list[str] = msgspec.field(default_factory=list)
    seed: int = 0


class EventView(msgspec.Struct):
    id: str
    created_at: int
    level: str
    message: str
    object: Literal["fine_tuning.job.event"] = "fine_tuning.job.event"
    type: Literal["message"] = "message"


class JobList(msgspec.Struct):
    data: list[JobView]
    has_more: bool
    object: Literal["list"] = "list"


class EventList(msgspec.Struct):
    data: list[EventView]
    has_more: bool
    object: Literal["list"] = "list"


def job_view(job: TuneJob) -> JobView:
    return JobView(
        id=str(job.id),
        created_at=int(job.created_at.timestamp()),
        model=job.model,
        fine_tuned_model=job.fine_tuned_model,
        status=job.status,
        training_file=job.training_file,
        validation_file=job.validation_file,
        hyperparameters=job.hyperparameters,
        trained_tokens=job.trained_tokens,
        error=JobError(code="training_failed", message=job.error) if job.error else None,
        finished_at=int(job.finished_at.timestamp()) if job.finished_at else None,
        suffix=job.suffix,
    )


def event_view(event: TuneEvent) -> EventView:
    return EventView(str(event.id), int(event.created_at.timestamp()), event.level, event.message)


def on_training_data_invalid(request: Request[Any, Any, Any], exc: TrainingDataInvalid) -> Response[Any]:
    problems = exc.extra.get("problems", [])
    field = problems[0]["field"] if problems else None
    return problem_response(request, 400, exc.code, exc.detail, field=field, problems=problems)


@post(
    JOBS,
    tags=TAGS,
    opt=WRITE,
    guards=[refuse_when_limit_reached],
    status_code=200,
    summary="Create a fine-tuning job (examples checked first)",
)
async def create_job(request: Caller, data: JSONBody[CreateJob], tune_jobs: NamedDependency[TuneJobs]) -> JobView:
    job = await tune_jobs.create(
        request.user.user_id,
        NewTuneJob(data.model, data.training_file, data.validation_file, data.hyperparameters, data.suffix),
    )
    return job_view(job)


@get(JOBS, tags=TAGS, opt=READ, summary="My fine-tuning jobs, newest first (cursor: after)")
async def list_jobs(
    request: Caller,
    tune_jobs: NamedDependency[TuneJobs],
    after: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> JobList:
    jobs, more = await tune_jobs.list_page(request.user.user_id, after, limit)
    return JobList([job_view(j) for j in jobs], more)


@get(JOB, tags=TAGS, opt=READ, summary="A fine-tuning job")
async def get_job(
    request: Caller, fine_tuning_job_id: FromPath[uuid.UUID], tune_jobs: NamedDependency[TuneJobs]
) -> JobView:
    return job_view(await tune_jobs.get(request.user.user_id, fine_tuning_job_id))


@post(JOB + "/cancel", tags=TAGS, opt=WRITE, status_code=200, summary="Cancel a fine-tuning job")
async def cancel_job(
    request: Caller, fine_tuning_job_id: FromPath[uuid.UUID], tune_jobs: NamedDependency[TuneJobs]
) -> JobView:
    return job_view(await tune_jobs.cancel(request.user.user_id, fine_tuning_job_id))


@get(JOB + "/events", tags=TAGS, opt=READ, summary="A fine-tuning job's events, newest first (cursor: after)")
async def list_events(
    request: Caller,
    fine_tuning_job_id: FromPath[uuid.UUID],
    tune_jobs: NamedDependency[TuneJobs],
    after: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> EventList:
    events, more = await tune_jobs.events(request.user.user_id, fine_tuning_job_id, after, limit)
    return EventList([event_view(e) for e in events], more)


TUNE_ROUTES = [create_job, list_jobs, get_job, cancel_job, list_events]
