"""Native model registry: ``/v1/registered-models`` (``/v1/models`` is OpenAI's list of deployable models)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.registry.api.model_cursors import decode_cursor, encode_cursor
from mlp.registry.api.model_views import ModelPage, ModelView, model_view
from mlp.registry.application.registered_models import RegisteredModels
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.model_queries import Condition, SearchQuery, like_prefix
from mlp.registry.domain.models_errors import InvalidModelInput

Caller = Request[Principal, Any, Any]
READ = requires_scopes("models:read")
WRITE = requires_scopes("models:write")
TAGS = ["registered-models"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=rules.MAX_NAME)]
Description = Annotated[str, msgspec.Meta(max_length=rules.MAX_DESCRIPTION)]
Task = Annotated[str, msgspec.Meta(max_length=rules.MAX_TASK)]
Tags = Annotated[dict[str, str], msgspec.Meta(max_length=rules.MAX_TAGS)]
PageSize = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
"""Bounded here against overflow; the real maximum is the setting the use case checks."""


class CreateModel(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    task: Task | None = None
    tags: Tags = msgspec.field(default_factory=dict)


class UpdateModel(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``tags`` replaces all tags."""

    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    task: Task | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


class RenameModel(msgspec.Struct, forbid_unknown_fields=True):
    name: Name


def tag_condition(spec: str) -> Condition:
    key, sep, value = spec.partition("=")
    if not sep or not key:
        raise InvalidModelInput("a tag filter is 'key=value'", field="tag")
    return Condition("tag", "=", value, key=key)


@post("/v1/registered-models", tags=TAGS, opt=WRITE, summary="Register a model (name unique among my models)")
async def create_model(
    request: Caller, data: JSONBody[CreateModel], registered_models: NamedDependency[RegisteredModels]
) -> ModelView:
    model = await registered_models.create(request.user.user_id, data.name, data.description, data.task, data.tags)
    return model_view(model)


@get("/v1/registered-models", tags=TAGS, opt=READ, summary="My models by name, filtered, in cursor pages")
async def list_models(
    request: Caller,
    registered_models: NamedDependency[RegisteredModels],
    name_prefix: FromQuery[str | None] = None,
    tag: FromQuery[list[str] | None] = None,
    task: FromQuery[str | None] = None,
    limit: PageSize = 50,
    cursor: FromQuery[str | None] = None,
) -> ModelPage:
    """``tag=key=value`` (repeatable: all must match), ``name_prefix``, ``task``; ``cursor`` from the last page."""
    conditions = [tag_condition(spec) for spec in tag or []]
    if name_prefix:
        conditions.append(Condition("name", "PREFIX", like_prefix(name_prefix)))
    if task:
        conditions.append(Condition("task", "=", task))
    query = SearchQuery(tuple(conditions), limit, decode_cursor(cursor))
    page = await registered_models.search(request.user.user_id, query)
    return ModelPage([model_view(m) for m in page.items], encode_cursor(page.next_after))


@get("/v1/registered-models/{model_id:uuid}", tags=TAGS, opt=READ)
async def get_model(
    request: Caller, model_id: FromPath[uuid.UUID], registered_models: NamedDependency[RegisteredModels]
) -> ModelView:
    return model_view(await registered_models.get(request.user.user_id, model_id))


@get("/v1/registered-models/by-name/{name:str}", tags=TAGS, opt=READ, summary="A model by its name")
async def get_model_by_name(
    request: Caller, name: FromPath[str], registered_models: NamedDependency[RegisteredModels]
) -> ModelView:
    return model_view(await registered_models.get(request.user.user_id, name))


@patch("/v1/registered-models/{model_id:uuid}", tags=TAGS, opt=WRITE, summary="Change description, task or tags")
async def update_model(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    data: JSONBody[UpdateModel],
    registered_models: NamedDependency[RegisteredModels],
) -> ModelView:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    return model_view(await registered_models.update(request.user.user_id, model_id, changes))


@post("/v1/registered-models/{model_id:uuid}/rename", tags=TAGS, opt=WRITE, status_code=200)
async def rename_model(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    data: JSONBody[RenameModel],
    registered_models: NamedDependency[RegisteredModels],
) -> ModelView:
    return model_view(await registered_models.rename(request.user.user_id, model_id, data.name))


@delete("/v1/registered-models/{model_id:uuid}", tags=TAGS, opt=WRITE, summary="Soft delete (409 while deployed)")
async def delete_model(
    request: Caller, model_id: FromPath[uuid.UUID], registered_models: NamedDependency[RegisteredModels]
) -> None:
    await registered_models.delete(request.user.user_id, model_id)
