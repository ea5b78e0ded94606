"""My API keys. The secret is in the answer to create and rotate, and never again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import PUBLIC, USER_SESSION
from mlp.common.auth.principal import Principal
from mlp.identity.api.api_key_views import ApiKeyCreated, ApiKeyPage, ApiKeyView, key_view, key_views
from mlp.identity.application.api_keys import ApiKeys, KeyRequest
from mlp.identity.domain import api_key_rules as rules
from mlp.identity.domain.scopes import SCOPE_CATALOGUE

Caller = Request[Principal, Any, Any]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=rules.MAX_NAME_LENGTH)]
Scope = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class CreateKey(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=64)]
    expires_at: datetime | None = None
    requests_per_minute: Annotated[int, msgspec.Meta(ge=1, le=rules.MAX_PER_MINUTE)] | None = None
    requests_per_month: Annotated[int, msgspec.Meta(ge=1, le=rules.MAX_PER_MONTH)] | None = None


class RenameKey(msgspec.Struct, forbid_unknown_fields=True):
    name: Name


class RotateKey(msgspec.Struct, forbid_unknown_fields=True):
    grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=int(rules.MAX_ROTATION_GRACE.total_seconds()))] = 0
    """How long the previous secret keeps working (0: it stops now)."""


@get("/v1/api-keys/scopes", tags=["api-keys"], opt=PUBLIC, summary="The scope catalogue")
async def scope_catalogue() -> dict[str, str]:
    return SCOPE_CATALOGUE


@post("/v1/api-keys", tags=["api-keys"], opt=USER_SESSION, summary="Create a key (the secret is shown once)")
async def create_key(request: Caller, data: JSONBody[CreateKey], api_keys: NamedDependency[ApiKeys]) -> ApiKeyCreated:
    created = await api_keys.create(request.user.user_id, KeyRequest(**msgspec.structs.asdict(data)))
    return ApiKeyCreated(key=await key_view(api_keys, created.key), secret=created.secret)


@get("/v1/api-keys", tags=["api-keys"], opt=USER_SESSION, summary="My keys")
async def list_keys(
    request: Caller,
    api_keys: NamedDependency[ApiKeys],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    after: FromQuery[uuid.UUID | None] = None,
) -> ApiKeyPage:
    keys = await api_keys.list_for_user(request.user.user_id, limit, after)
    next_after = str(keys[-1].id) if len(keys) == limit else None
    return ApiKeyPage(items=await key_views(api_keys, keys), next_after=next_after)


@get("/v1/api-keys/{key_id:uuid}", tags=["api-keys"], opt=USER_SESSION)
async def get_key(request: Caller, key_id: FromPath[uuid.UUID], api_keys: NamedDependency[ApiKeys]) -> ApiKeyView:
    return await key_view(api_keys, await api_keys.get(request.user.user_id, key_id))


@patch("/v1/api-keys/{key_id:uuid}", tags=["api-keys"], opt=USER_SESSION, summary="Rename a key")
async def rename_key(
    request: Caller, key_id: FromPath[uuid.UUID], data: JSONBody[RenameKey], api_keys: NamedDependency[ApiKeys]
) -> ApiKeyView:
    return await key_view(api_keys, await api_keys.rename(request.user.user_id, key_id, data.name))


@delete("/v1/api-keys/{key_id:uuid}", tags=["api-keys"], opt=USER_SESSION, summary="Revoke a key")
async def revoke_key(request: Caller, key_id: FromPath[uuid.UUID], api_keys: NamedDependency[ApiKeys]) -> None:
    await api_keys.revoke(request.user.user_id, key_id)


@post("/v1/api-keys/{key_id:uuid}/rotate", tags=["api-keys"], opt=USER_SESSION, status_code=200)
async def rotate_key(
    request: Caller, key_id: FromPath[uuid.UUID], data: JSONBody[RotateKey], api_keys: NamedDependency[ApiKeys]
) -> ApiKeyCreated:
    """A new secret; the previous one keeps working for ``grace_seconds``."""
    rotated = await api_keys.rotate(request.user.user_id, key_id, data.grace_seconds)
    return ApiKeyCreated(key=await key_view(api_keys, rotated.key), secret=rotated.secret)
