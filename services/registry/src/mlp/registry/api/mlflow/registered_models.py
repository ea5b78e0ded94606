"""MLflow ``/api/2.0/mlflow/registered-models/*`` over the registry's use cases."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from mlp.common.auth.principal import Principal
from mlp.registry.api.mlflow import requests as r
from mlp.registry.api.mlflow.filters import MODEL_KEYS, parse_filter
from mlp.registry.api.mlflow.views import mlflow_model, mlflow_version, stage_of
from mlp.registry.api.model_cursors import decode_cursor, encode_cursor
from mlp.registry.api.registered_models import READ, WRITE
from mlp.registry.application.model_aliases import ModelAliases
from mlp.registry.application.registered_models import RegisteredModels
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models_errors import InvalidModelInput

Caller = Request[Principal, Any, Any]
Models = NamedDependency[RegisteredModels]
Aliases = NamedDependency[ModelAliases]
TAGS = ["mlflow"]
MAX_MODELS = 1000
"""MLflow's own threshold for one page of registered models."""


async def _with_latest(models: RegisteredModels, caller: Caller, name: str) -> dict[str, Any]:
    model = await models.get(caller.user.user_id, name)
    latest = await models.latest_versions(caller.user.user_id, [model])
    return {"registered_model": mlflow_model(model, latest[model.id])}


@post("/registered-models/create", tags=TAGS, opt=WRITE, status_code=200)
async def create_registered_model(
    request: Caller, data: JSONBody[r.CreateRegisteredModel], registered_models: Models
) -> dict[str, Any]:
    name = r.required(data.name, "name")
    model = await registered_models.create(request.user.user_id, name, data.description, tags=r.tag_dict(data.tags))
    return {"registered_model": mlflow_model(model)}


@get("/registered-models/get", tags=TAGS, opt=READ)
async def get_registered_model(
    request: Caller, registered_models: Models, name: FromQuery[str | None] = None
) -> dict[str, Any]:
    return await _with_latest(registered_models, request, r.required(name, "name"))


@patch("/registered-models/update", tags=TAGS, opt=WRITE)
async def update_registered_model(
    request: Caller, data: JSONBody[r.UpdateRegisteredModel], registered_models: Models
) -> dict[str, Any]:
    name = r.required(data.name, "name")
    changes = {"description": data.description} if data.description is not None else {}
    model = await registered_models.update(request.user.user_id, name, changes)
    return {"registered_model": mlflow_model(model)}


@post("/registered-models/rename", tags=TAGS, opt=WRITE, status_code=200)
async def rename_registered_model(
    request: Caller, data: JSONBody[r.RenameRegisteredModel], registered_models: Models
) -> dict[str, Any]:
    name, new_name = r.required(data.name, "name"), r.required(data.new_name, "new_name")
    model = await registered_models.rename(request.user.user_id, name, new_name)
    return {"registered_model": mlflow_model(model)}


@delete("/registered-models/delete", tags=TAGS, opt=WRITE, status_code=200)
async def delete_registered_model(
    request: Caller, data: JSONBody[r.ModelName], registered_models: Models
) -> dict[str, Any]:
    await registered_models.delete(request.user.user_id, r.required(data.name, "name"))
    return {}


@get("/registered-models/search", tags=TAGS, opt=READ)
async def search_registered_models(
    request: Caller,
    registered_models: Models,
    filter: FromQuery[str | None] = None,
    max_results: FromQuery[int] = 100,
    order_by: FromQuery[list[str] | None] = None,
    page_token: FromQuery[str | None] = None,
) -> dict[str, Any]:
    if not 1 <= max_results <= MAX_MODELS:
        raise InvalidModelInput(f"max_results is between 1 and {MAX_MODELS}, got {max_results}", field="max_results")
    query = SearchQuery(
        parse_filter(filter, MODEL_KEYS),
        max_results,
        decode_cursor(page_token, "page_token"),
        descending=_descending(order_by),
    )
    page = await registered_models.search(request.user.user_id, query)
    latest = await registered_models.latest_versions(request.user.user_id, page.items)
    body: dict[str, Any] = {"registered_models": [mlflow_model(m, latest[m.id]) for m in page.items]}
    if page.next_after is not None:
        body["next_page_token"] = encode_cursor(page.next_after)
    return body


def _descending(order_by: list[str] | None) -> bool:
    """Models are ordered by name: ``name``, ``name ASC`` or ``name DESC``."""
    clauses = [c.split() for c in order_by or [] if c.strip()]
    if not clauses:
        return False
    if len(clauses) > 1 or clauses[0][0].lower() != "name" or len(clauses[0]) > 2:
        raise InvalidModelInput("order_by supports 'name ASC' or 'name DESC'", field="order_by")
    direction = clauses[0][1].upper() if len(clauses[0]) == 2 else "ASC"
    if direction not in ("ASC", "DESC"):
        raise InvalidModelInput(f"invalid order_by direction '{direction}'", field="order_by")
    return direction == "DESC"


@post("/registered-models/set-tag", tags=TAGS, opt=WRITE, status_code=200)
async def set_registered_model_tag(
    request: Caller, data: JSONBody[r.ModelTag], registered_models: Models
) -> dict[str, Any]:
    name, key = r.required(data.name, "name"), r.required(data.key, "key")
    await registered_models.set_tag(request.user.user_id, name, key, data.value or "")
    return {}


@delete("/registered-models/delete-tag", tags=TAGS, opt=WRITE, status_code=200)
async def delete_registered_model_tag(
    request: Caller, data: JSONBody[r.ModelTag], registered_models: Models
) -> dict[str, Any]:
    name, key = r.required(data.name, "name"), r.required(data.key, "key")
    await registered_models.set_tag(request.user.user_id, name, key, None)
    return {}


@post("/registered-models/alias", tags=TAGS, opt=WRITE, status_code=200)
async def set_registered_model_alias(
    request: Caller, data: JSONBody[r.ModelAlias], model_aliases: Aliases
) -> dict[str, Any]:
    name, alias = r.required(data.name, "name"), r.required(data.alias, "alias")
    await model_aliases.set(request.user.user_id, name, alias, version=r.version_number(data.version))
    return {}


@delete("/registered-models/alias", tags=TAGS, opt=WRITE, status_code=200)
async def delete_registered_model_alias(
    request: Caller, data: JSONBody[r.ModelAlias], model_aliases: Aliases
) -> dict[str, Any]:
    await model_aliases.delete(request.user.user_id, r.required(data.name, "name"), r.required(data.alias, "alias"))
    return {}


@get("/registered-models/alias", tags=TAGS, opt=READ)
async def get_model_version_by_alias(
    request: Caller, model_aliases: Aliases, name: FromQuery[str | None] = None, alias: FromQuery[str | None] = None
) -> dict[str, Any]:
    found = await model_aliases.resolve(request.user.user_id, r.required(name, "name"), r.required(alias, "alias"))
    return {"model_version": mlflow_version(found)}


@route("/registered-models/get-latest-versions", http_method=["GET", "POST"], tags=TAGS, opt=READ, status_code=200)
async def get_latest_versions(
    request: Caller,
    registered_models: Models,
    name: FromQuery[str | None] = None,
    stages: FromQuery[list[str] | None] = None,
) -> dict[str, Any]:
    """POST (what MLflow's client tries first) carries a JSON body; GET carries query parameters."""
    if request.method == "POST":
        body = r.decode_body(await request.body(), r.LatestVersions)
        name, stages = body.name, body.stages
    model = await registered_models.get(request.user.user_id, r.required(name, "name"))
    latest = (await registered_models.latest_versions(request.user.user_id, [model]))[model.id]
    wanted = {stage.lower() for stage in stages or []}
    return {"model_versions": [mlflow_version(v) for v in latest if not wanted or stage_of(v).lower() in wanted]}


MLFLOW_MODEL_ROUTES = [
    create_registered_model,
    get_registered_model,
    update_registered_model,
    rename_registered_model,
    delete_registered_model,
    search_registered_models,
    set_registered_model_tag,
    delete_registered_model_tag,
    set_registered_model_alias,
    delete_registered_model_alias,
    get_model_version_by_alias,
    get_latest_versions,
]
