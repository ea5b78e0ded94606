"""Native model versions: ``/v1/registered-models/{model_id}/versions[/{version}]``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from mlp.common.auth.principal import Principal
from mlp.registry.api.model_cursors import decode_cursor, encode_cursor
from mlp.registry.api.model_views import VersionPage, VersionView, version_view
from mlp.registry.api.registered_models import READ, WRITE, Description, PageSize, Tags
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import Artifact, NewVersion, VersionSource

Caller = Request[Principal, Any, Any]
TAGS = ["registered-models"]
Status = Literal["pending", "ready", "failed", "archived"]
Uri = Annotated[str, msgspec.Meta(min_length=1, max_length=rules.MAX_URI)]
Params = Annotated[dict[str, str | float | bool | None], msgspec.Meta(max_length=rules.MAX_ENTRIES)]
Metrics = Annotated[dict[str, float], msgspec.Meta(max_length=rules.MAX_ENTRIES)]
Number = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
VersionNumber = Annotated[int, Parameter(ge=1, le=2_147_483_647, description="the version's number")]
"""A path parameter bounded like the column it is compared with."""


class Source(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["upload", "tune_job", "run"] = "upload"
    tune_job_id: uuid.UUID | None = None
    run_uri: Uri | None = None


class CreateVersion(msgspec.Struct, forbid_unknown_fields=True):
    """The artifact is one of my files (``artifact_file_id``) or a URI (``artifact_uri``)."""

    artifact_file_id: uuid.UUID | None = None
    artifact_uri: Uri | None = None
    source: Source = msgspec.field(default_factory=Source)
    description: Description | None = None
    status: Status = "ready"
    params: Params = msgspec.field(default_factory=dict)
    metrics: Metrics = msgspec.field(default_factory=dict)
    tags: Tags = msgspec.field(default_factory=dict)


class UpdateVersion(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``params``, ``metrics`` and ``tags`` are replaced as a whole."""

    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET
    status_message: Description | msgspec.UnsetType | None = msgspec.UNSET
    params: Params | msgspec.UnsetType = msgspec.UNSET
    metrics: Metrics | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


VERSION_PATH = "/v1/registered-models/{model_id:uuid}/versions/{version:int}"


@post("/v1/registered-models/{model_id:uuid}/versions", tags=TAGS, opt=WRITE, summary="Register a version")
async def create_version(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    data: JSONBody[CreateVersion],
    model_versions: NamedDependency[ModelVersions],
) -> VersionView:
    """The version number is the model's next one, also under concurrent creates."""
    new = NewVersion(
        artifact=Artifact(file_id=data.artifact_file_id, uri=data.artifact_uri),
        source=VersionSource(data.source.kind, data.source.tune_job_id, data.source.run_uri),
        description=data.description,
        status=data.status,
        params=data.params,
        metrics=data.metrics,
        tags=data.tags,
    )
    return version_view(await model_versions.create(request.user.user_id, model_id, new))


@get("/v1/registered-models/{model_id:uuid}/versions", tags=TAGS, opt=READ, summary="Versions, newest first")
async def list_versions(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    model_versions: NamedDependency[ModelVersions],
    limit: PageSize = 50,
    cursor: FromQuery[str | None] = None,
) -> VersionPage:
    query = SearchQuery((), limit, decode_cursor(cursor, width=2))
    page = await model_versions.search(request.user.user_id, query, model=model_id)
    return VersionPage([version_view(v) for v in page.items], encode_cursor(page.next_after))


@get(VERSION_PATH, tags=TAGS, opt=READ)
async def get_version(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    version: VersionNumber,
    model_versions: NamedDependency[ModelVersions],
) -> VersionView:
    return version_view(await model_versions.get(request.user.user_id, model_id, version))


@patch(VERSION_PATH, tags=TAGS, opt=WRITE, summary="Change description, status, params, metrics or tags")
async def update_version(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    version: VersionNumber,
    data: JSONBody[UpdateVersion],
    model_versions: NamedDependency[ModelVersions],
) -> VersionView:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    return version_view(await model_versions.update(request.user.user_id, model_id, version, changes))


@delete(VERSION_PATH, tags=TAGS, opt=WRITE, summary="Soft delete (409 while deployed; numbers are never reused)")
async def delete_version(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    version: VersionNumber,
    model_versions: NamedDependency[ModelVersions],
) -> None:
    await model_versions.delete(request.user.user_id, model_id, version)
