"""The guards ``build_service_app`` gives every service: deny by default, whole-segment public
paths, and no text PostgreSQL cannot store (NUL) past the request decoding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import FromPath, FromQuery, JSONBody, MsgPackBody, URLEncodedBody
from litestar.testing import AsyncTestClient

from mlp.common.auth.litestar import PUBLIC, public_path_pattern, requires_scopes
from mlp.common.runtime.access_declarations import UndeclaredAccess
from mlp.common.runtime.service_app import build_service_app


class Item(msgspec.Struct):
    name: str
    tags: list[str] = []
    meta: dict[str, Any] = {}


@post("/items/{kind:str}", opt=PUBLIC, status_code=200)
async def create_item(kind: FromPath[str], data: JSONBody[Item], note: FromQuery[str | None] = None) -> dict[str, str]:
    return {"kind": kind, "name": data.name}


@post("/forms", opt=PUBLIC, status_code=200, sync_to_thread=False)
def post_form(data: URLEncodedBody[dict[str, str]]) -> dict[str, str]:
    return data


@post("/packed", opt=PUBLIC, status_code=200, sync_to_thread=False)
def post_msgpack(data: MsgPackBody[Item]) -> dict[str, str]:
    return {"name": data.name}


@get("/healthzfoo", opt=requires_scopes("anything"), sync_to_thread=False)
def looks_like_a_probe() -> str:
    return "secret"


@get("/undeclared", sync_to_thread=False)
def undeclared() -> str:
    return "open to anyone signed in"


@asynccontextmanager
async def no_resolver(app: Litestar) -> AsyncIterator[None]:
    app.state.resolver = None  # these tests never get past the credential check
    yield


def app_with(*handlers: Any) -> Litestar:
    return build_service_app(
        name="guards",
        package="mlp.registry",  # any service's migrations: these apps never touch the database
        schema="registry",
        database_url="postgresql://nobody@127.0.0.1:9/none",
        db_pool_size=1,
        route_handlers=list(handlers),
        lifespans=[no_resolver],
    )


@pytest.fixture
async def client() -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app_with(create_item, post_form, post_msgpack, looks_like_a_probe)) as c:
        yield c


def test_a_route_that_declares_no_requirement_stops_the_app() -> None:
    with pytest.raises(UndeclaredAccess, match=r"GET /undeclared"):
        app_with(create_item, undeclared)


def test_public_paths_match_whole_segments() -> None:
    public = public_path_pattern(("/v1/stripe/webhook",))
    assert public.match("/healthz")
    assert public.match("/schema/openapi.json")
    assert public.match("/v1/stripe/webhook")
    assert not public.match("/healthzfoo")
    assert not public.match("/schemas")
    assert not public.match("/v1/stripe/webhookx")


async def test_a_path_that_only_starts_like_a_probe_needs_credentials(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthzfoo")
    assert response.status_code == 401
    assert (await client.get("/healthz")).status_code == 200


def assert_refused(response: Any, field: str, source: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "urn:mlp:problem:validation-error"
    assert body["field"] == field
    assert body["errors"][0]["source"] == source


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"name": "ok", "tags": ["fine", "bad\u0000"]}, "tags[1]"),
        ({"name": "ok", "meta": {"deep": {"x": "\u0000"}}}, "meta.deep.x"),
        ({"name": "ok", "meta": {"key\u0000": 1}}, "meta.key\u0000"),
    ],
)
async def test_nul_anywhere_in_a_json_body_is_a_400_naming_the_field(
    client: AsyncTestClient[Litestar], body: dict[str, Any], field: str
) -> None:
    assert_refused(await client.post("/items/plain", json=body), field, "body")


async def test_nul_in_a_path_or_query_parameter_is_a_400_naming_it(client: AsyncTestClient[Litestar]) -> None:
    assert_refused(await client.post("/items/a%00b", json={"name": "ok"}), "kind", "path")
    assert_refused(await client.post("/items/plain?note=x%00", json={"name": "ok"}), "note", "query")
    fine = await client.post("/items/plain?note=x", json={"name": "ok"})
    assert fine.json() == {"kind": "plain", "name": "ok"}


async def test_nul_in_a_form_or_msgpack_body_is_a_400(client: AsyncTestClient[Litestar]) -> None:
    assert_refused(await client.post("/forms", data={"title": "a\u0000"}), "title", "body")
    packed = msgspec.msgpack.encode({"name": "x\u0000"})
    headers = {"content-type": "application/x-msgpack"}
    assert_refused(await client.post("/packed", content=packed, headers=headers), "name", "body")


async def test_a_malformed_json_body_is_still_the_decoders_400(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/items/plain", content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
