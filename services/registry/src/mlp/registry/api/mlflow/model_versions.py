"""MLflow ``/api/2.0/mlflow/model-versions/*`` over the registry's use cases."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from mlp.common.auth.principal import Principal
from mlp.registry.api.mlflow import requests as r
from mlp.registry.api.mlflow.filters import VERSION_KEYS, parse_filter
from mlp.registry.api.mlflow.views import FILE_SCHEME, mlflow_version, source_of
from mlp.registry.api.model_cursors import decode_cursor, encode_cursor
from mlp.registry.api.registered_models import READ, WRITE
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import Artifact, NewVersion, VersionSource
from mlp.registry.domain.models_errors import InvalidModelInput

Caller = Request[Principal, Any, Any]
Versions = NamedDependency[ModelVersions]
TAGS = ["mlflow"]


def _artifact(source: str) -> Artifact:
    """``files:/<id>`` names one of the caller's uploaded files; anything else is a URI."""
    if source.startswith(FILE_SCHEME):
        try:
            return Artifact(file_id=uuid.UUID(source.removeprefix(FILE_SCHEME)))
        except ValueError:
            raise InvalidModelInput(f"'{source}' does not name a file id", field="source") from None
    return Artifact(uri=source)


@post("/model-versions/create", tags=TAGS, opt=WRITE, status_code=200)
async def create_model_version(
    request: Caller, data: JSONBody[r.CreateModelVersion], model_versions: Versions
) -> dict[str, Any]:
    name, source = r.required(data.name, "name"), r.required(data.source, "source")
    origin = (
        VersionSource("run", run_uri=f"runs:/{data.run_id}", run_id=data.run_id) if data.run_id else VersionSource()
    )
    new = NewVersion(
        artifact=_artifact(source), source=origin, description=data.description, tags=r.tag_dict(data.tags)
    )
    return {"model_version": mlflow_version(await model_versions.create(request.user.user_id, name, new))}


@get("/model-versions/get", tags=TAGS, opt=READ)
async def get_model_version(
    request: Caller, model_versions: Versions, name: FromQuery[str | None] = None, version: FromQuery[str | None] = None
) -> dict[str, Any]:
    found = await model_versions.get(request.user.user_id, r.required(name, "name"), r.version_number(version))
    return {"model_version": mlflow_version(found)}


@patch("/model-versions/update", tags=TAGS, opt=WRITE)
async def update_model_version(
    request: Caller, data: JSONBody[r.UpdateModelVersion], model_versions: Versions
) -> dict[str, Any]:
    name, number = r.required(data.name, "name"), r.version_number(data.version)
    changes = {"description": data.description} if data.description is not None else {}
    updated = await model_versions.update(request.user.user_id, name, number, changes)
    return {"model_version": mlflow_version(updated)}


@delete("/model-versions/delete", tags=TAGS, opt=WRITE, status_code=200)
async def delete_model_version(
    request: Caller, data: JSONBody[r.VersionRef], model_versions: Versions
) -> dict[str, Any]:
    await model_versions.delete(request.user.user_id, r.required(data.name, "name"), r.version_number(data.version))
    return {}


@get("/model-versions/search", tags=TAGS, opt=READ)
async def search_model_versions(
    request: Caller,
    model_versions: Versions,
    filter: FromQuery[str | None] = None,
    max_results: FromQuery[int] = 10_000,
    order_by: FromQuery[list[str] | None] = None,
    page_token: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Ordered by model name, then newest version first. ``max_results`` above this registry's page
    size is served a page at a time (MLflow lets backends choose a lower maximum)."""
    if max_results < 1:
        raise InvalidModelInput(f"max_results must be positive, got {max_results}", field="max_results")
    if any(c.strip() for c in order_by or []):
        raise InvalidModelInput("order_by is not supported for model versions", field="order_by")
    limit = min(max_results, model_versions.max_page_size)
    query = SearchQuery(parse_filter(filter, VERSION_KEYS), limit, decode_cursor(page_token, "page_token", width=2))
    page = await model_versions.search(request.user.user_id, query)
    body: dict[str, Any] = {"model_versions": [mlflow_version(v) for v in page.items]}
    if page.next_after is not None:
        body["next_page_token"] = encode_cursor(page.next_after)
    return body


@post("/model-versions/set-tag", tags=TAGS, opt=WRITE, status_code=200)
async def set_model_version_tag(
    request: Caller, data: JSONBody[r.VersionTag], model_versions: Versions
) -> dict[str, Any]:
    name, number, key = r.required(data.name, "name"), r.version_number(data.version), r.required(data.key, "key")
    await model_versions.set_tag(request.user.user_id, name, number, key, data.value or "")
    return {}


@delete("/model-versions/delete-tag", tags=TAGS, opt=WRITE, status_code=200)
async def delete_model_version_tag(
    request: Caller, data: JSONBody[r.VersionTag], model_versions: Versions
) -> dict[str, Any]:
    name, number, key = r.required(data.name, "name"), r.version_number(data.version), r.required(data.key, "key")
    await model_versions.set_tag(request.user.user_id, name, number, key, None)
    return {}


@get("/model-versions/get-download-uri", tags=TAGS, opt=READ)
async def get_model_version_download_uri(
    request: Caller, model_versions: Versions, name: FromQuery[str | None] = None, version: FromQuery[str | None] = None
) -> dict[str, Any]:
    found = await model_versions.get(request.user.user_id, r.required(name, "name"), r.version_number(version))
    return {"artifact_uri": source_of(found)}


MLFLOW_VERSION_ROUTES = [
    create_model_version,
    get_model_version,
    update_model_version,
    delete_model_version,
    search_model_versions,
    set_model_version_tag,
    delete_model_version_tag,
    get_model_version_download_uri,
]
