"""``/v1/evals``: OpenAI's Evals API (create, list, retrieve, update, delete) over our criteria."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.evaluation.api.openai_views import eval_object, openai_list
from mlp.evaluation.application.evals import Evals

Caller = Request[Principal, Any, Any]
READ = requires_scopes("evals:read")
WRITE = requires_scopes("evals:write")
Metadata = Annotated[dict[str, Annotated[str, msgspec.Meta(max_length=512)]], msgspec.Meta(max_length=16)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class CreateEval(msgspec.Struct):
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]
    name: Name = "eval"
    metadata: Metadata | None = None


class UpdateEval(msgspec.Struct):
    name: Name | None = None
    metadata: Metadata | None = None


@post("/v1/evals", tags=["evals (OpenAI)"], opt=WRITE, status_code=200, summary="Create an eval")
async def create_eval(request: Caller, data: JSONBody[CreateEval], evals: NamedDependency[Evals]) -> dict[str, Any]:
    found = await evals.create(
        request.user.user_id, data.name, data.data_source_config, data.testing_criteria, data.metadata or {}
    )
    return eval_object(found)


@get("/v1/evals", tags=["evals (OpenAI)"], opt=READ)
async def list_evals(
    request: Caller,
    evals: NamedDependency[Evals],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    after: FromQuery[uuid.UUID | None] = None,
    order: FromQuery[Literal["asc", "desc"]] = "asc",
    order_by: FromQuery[Literal["created_at", "updated_at"]] = "created_at",
) -> dict[str, Any]:
    """Ordered by creation (``order_by=updated_at`` is accepted and ordered by creation too)."""
    found = await evals.list(request.user.user_id, limit + 1, after, order == "desc")
    return openai_list([eval_object(e) for e in found[:limit]], len(found) > limit)


@get("/v1/evals/{eval_id:uuid}", tags=["evals (OpenAI)"], opt=READ)
async def get_eval(request: Caller, eval_id: FromPath[uuid.UUID], evals: NamedDependency[Evals]) -> dict[str, Any]:
    return eval_object(await evals.get(request.user.user_id, eval_id))


@post("/v1/evals/{eval_id:uuid}", tags=["evals (OpenAI)"], opt=WRITE, status_code=200, summary="Rename, metadata")
async def update_eval(
    request: Caller, eval_id: FromPath[uuid.UUID], data: JSONBody[UpdateEval], evals: NamedDependency[Evals]
) -> dict[str, Any]:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    return eval_object(await evals.update(request.user.user_id, eval_id, changes))


@delete("/v1/evals/{eval_id:uuid}", tags=["evals (OpenAI)"], opt=WRITE, status_code=200)
async def delete_eval(request: Caller, eval_id: FromPath[uuid.UUID], evals: NamedDependency[Evals]) -> dict[str, Any]:
    await evals.delete(request.user.user_id, eval_id)
    return {"object": "eval.deleted", "deleted": True, "eval_id": str(eval_id)}


EVAL_ROUTES = [create_eval, list_evals, get_eval, update_eval, delete_eval]
