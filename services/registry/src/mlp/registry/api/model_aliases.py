"""Native aliases: ``/v1/registered-models/{model_id}/aliases/{alias}`` (set or move, resolve, delete, history)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from mlp.common.auth.principal import Principal
from mlp.registry.api.model_versions import Number
from mlp.registry.api.model_views import AliasChangeView, VersionView, alias_change_view, version_view
from mlp.registry.api.registered_models import READ, WRITE
from mlp.registry.application.model_aliases import ModelAliases

Caller = Request[Principal, Any, Any]
TAGS = ["registered-models"]
ALIAS_PATH = "/v1/registered-models/{model_id:uuid}/aliases/{alias:str}"


class PointAlias(msgspec.Struct, forbid_unknown_fields=True):
    """The version by number (``version``) or by id (``version_id``); it must be a version of this model."""

    version: Number | None = None
    version_id: uuid.UUID | None = None


@put(ALIAS_PATH, tags=TAGS, opt=WRITE, summary="Point an alias at a version (creates or moves it)")
async def set_alias(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    alias: FromPath[str],
    data: JSONBody[PointAlias],
    model_aliases: NamedDependency[ModelAliases],
) -> VersionView:
    version = await model_aliases.set(
        request.user.user_id, model_id, alias, version=data.version, version_id=data.version_id
    )
    return version_view(version)


@get(ALIAS_PATH, tags=TAGS, opt=READ, summary="The version an alias points to")
async def resolve_alias(
    request: Caller, model_id: FromPath[uuid.UUID], alias: FromPath[str], model_aliases: NamedDependency[ModelAliases]
) -> VersionView:
    return version_view(await model_aliases.resolve(request.user.user_id, model_id, alias))


@get(ALIAS_PATH + "/as-of", tags=TAGS, opt=READ, summary="The version an alias pointed to at a time")
async def alias_as_of(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    alias: FromPath[str],
    at: Annotated[datetime, QueryParameter(description="ISO 8601 time, with its offset")],
    model_aliases: NamedDependency[ModelAliases],
) -> AliasChangeView:
    return alias_change_view(await model_aliases.at(request.user.user_id, model_id, alias, at))


@get(ALIAS_PATH + "/history", tags=TAGS, opt=READ, summary="Every set, move and delete of an alias, newest first")
async def alias_history(
    request: Caller,
    model_id: FromPath[uuid.UUID],
    alias: FromPath[str],
    model_aliases: NamedDependency[ModelAliases],
    limit: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 100,
) -> list[AliasChangeView]:
    return [alias_change_view(c) for c in await model_aliases.history(request.user.user_id, model_id, alias, limit)]


@delete(ALIAS_PATH, tags=TAGS, opt=WRITE, summary="Delete an alias")
async def delete_alias(
    request: Caller, model_id: FromPath[uuid.UUID], alias: FromPath[str], model_aliases: NamedDependency[ModelAliases]
) -> None:
    await model_aliases.delete(request.user.user_id, model_id, alias)


MODEL_ALIAS_ROUTES = [set_alias, resolve_alias, alias_as_of, alias_history, delete_alias]
