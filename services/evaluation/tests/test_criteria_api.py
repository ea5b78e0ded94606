"""``/v1/criteria`` over HTTP: create with a validated config, read, list, change, delete; mine only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.runtime.database import plain_database_url

Client = AsyncTestClient[Litestar]


async def test_a_criterion_round_trip(client: Client, user: Callable[..., Any], database_url: str) -> None:
    me = user()
    body = {"name": "valid json", "type": "json_schema", "config": {"json_schema": {"type": "object"}}}
    created = await client.post("/v1/criteria", json=body, headers=me.headers)
    assert created.status_code == 201, created.text
    criterion = created.json()
    assert (criterion["type"], criterion["config"]) == ("json_schema", {"json_schema": {"type": "object"}})
    path = f"/v1/criteria/{criterion['id']}"

    assert (await client.get(path, headers=me.headers)).json()["name"] == "valid json"
    changed = await client.patch(path, json={"name": "object", "description": "an object"}, headers=me.headers)
    assert (changed.json()["name"], changed.json()["description"]) == ("object", "an object")
    listed = (await client.get("/v1/criteria", headers=me.headers)).json()
    assert [c["id"] for c in listed["data"]] == [criterion["id"]]
    assert (await client.delete(path, headers=me.headers)).status_code == 204
    assert (await client.get(path, headers=me.headers)).status_code == 404

    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        jobs = await conn.fetch("SELECT payload FROM evaluation.pgqueuer WHERE entrypoint = 'outbox.audit'")
    finally:
        await conn.close()
    audited = b"".join(j["payload"] for j in jobs)
    for action in (b"criterion.created", b"criterion.updated", b"criterion.deleted"):
        assert action in audited


async def test_a_bad_config_is_a_400_naming_the_field_and_creates_nothing(
    client: Client, user: Callable[..., Any]
) -> None:
    me = user()
    cases = [
        ({"name": "r", "type": "regex", "config": {"pattern": "(a|aa)+$"}}, "config.pattern"),
        ({"name": "n", "type": "numeric_tolerance", "config": {"expected": "1", "absolute": -2}}, "config.absolute"),
        ({"name": "t", "type": "no_such_type", "config": {}}, "type"),
        ({"name": "x", "type": "exact_match", "config": {"expected": "a", "extra": 1}}, "config.extra"),
    ]
    for body, field in cases:
        response = await client.post("/v1/criteria", json=body, headers=me.headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (response.json()["type"], response.json()["field"]) == ("urn:mlp:problem:validation-error", field)
    assert (await client.get("/v1/criteria", headers=me.headers)).json()["data"] == []


async def test_another_users_criterion_is_a_404_and_names_are_unique_per_user(
    client: Client, user: Callable[..., Any]
) -> None:
    me, other = user(), user()
    body = {"name": "same", "type": "json_valid"}
    mine = (await client.post("/v1/criteria", json=body, headers=me.headers)).json()
    assert (await client.post("/v1/criteria", json=body, headers=other.headers)).status_code == 201
    assert (await client.post("/v1/criteria", json=body, headers=me.headers)).status_code == 409
    for method in ("GET", "DELETE"):
        response = await client.request(method, f"/v1/criteria/{mine['id']}", headers=other.headers)
        assert response.status_code == 404


async def test_scopes_are_required(client: Client, user: Callable[..., Any]) -> None:
    reader = user(scopes="evals:read")
    assert (await client.get("/v1/criteria", headers=reader.headers)).status_code == 200
    denied = await client.post("/v1/criteria", json={"name": "a", "type": "json_valid"}, headers=reader.headers)
    assert denied.status_code == 403
    assert (await client.get("/v1/criteria")).status_code == 401
