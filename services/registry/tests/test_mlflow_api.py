"""MLflow's REST shapes and errors, request by request (GET with query parameters, others with JSON bodies)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
Headers = Callable[..., dict[str, str]]
API = "/api/2.0/mlflow"
NUL_TOKEN = base64.urlsafe_b64encode(b'["\\u0000"]').decode()
NUL_PAIR_TOKEN = base64.urlsafe_b64encode(b'["\\u0000", "x"]').decode()


async def test_json_shapes_match_mlflow(client: Client, user: Headers) -> None:
    me = user()
    created = await client.post(
        f"{API}/registered-models/create", json={"name": "shape", "tags": [{"key": "k", "value": "v"}]}, headers=me
    )
    assert created.status_code == 200, created.text
    model = created.json()["registered_model"]
    assert set(model) == {"name", "creation_timestamp", "last_updated_timestamp", "tags"}
    assert model["tags"] == [{"key": "k", "value": "v"}]
    assert isinstance(model["creation_timestamp"], int)
    assert model["creation_timestamp"] > 1_700_000_000_000  # milliseconds

    body = {"name": "shape", "source": "s3://b/1", "run_id": "r1", "tags": [{"key": "a", "value": "b"}]}
    version = (await client.post(f"{API}/model-versions/create", json=body, headers=me)).json()["model_version"]
    assert {k: version[k] for k in ("name", "version", "current_stage", "status", "source", "run_id", "tags")} == {
        "name": "shape",
        "version": "1",
        "current_stage": "None",
        "status": "READY",
        "source": "s3://b/1",
        "run_id": "r1",
        "tags": [{"key": "a", "value": "b"}],
    }
    alias = {"name": "shape", "alias": "prod", "version": "1"}
    assert (await client.post(f"{API}/registered-models/alias", json=alias, headers=me)).json() == {}
    got = await client.get(f"{API}/registered-models/get", params={"name": "shape"}, headers=me)
    assert got.json()["registered_model"]["aliases"] == [{"alias": "prod", "version": "1"}]
    assert got.json()["registered_model"]["latest_versions"][0]["aliases"] == ["prod"]
    by_alias = await client.get(f"{API}/registered-models/alias", params={"name": "shape", "alias": "prod"}, headers=me)
    assert by_alias.json()["model_version"]["version"] == "1"
    searched = await client.get(f"{API}/model-versions/search", params={"filter": "version_number = 1"}, headers=me)
    assert [v["name"] for v in searched.json()["model_versions"]] == ["shape"]
    assert "next_page_token" not in searched.json()
    deleted = await client.request("DELETE", f"{API}/registered-models/alias", json=alias, headers=me)
    assert (deleted.status_code, deleted.json()) == (200, {})


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "status", "code"),
    [
        ("POST", "registered-models/create", None, {}, 400, "INVALID_PARAMETER_VALUE"),
        ("POST", "registered-models/create", None, {"name": 7}, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "registered-models/get", {"name": "nope"}, None, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("GET", "registered-models/get", None, None, 400, "INVALID_PARAMETER_VALUE"),
        (
            "GET",
            "registered-models/search",
            {"filter": "name = 'a' OR name = 'b'"},
            None,
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        ("GET", "registered-models/search", {"filter": "run_id = 'a'"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "registered-models/search", {"max_results": 0}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "registered-models/search", {"max_results": 1001}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "registered-models/search", {"page_token": "garbage!"}, None, 400, "INVALID_PARAMETER_VALUE"),
        (
            "GET",
            "registered-models/search",
            {"order_by": "creation_timestamp DESC"},
            None,
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        ("GET", "model-versions/search", {"filter": "version_number = 'x'"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/search", {"max_results": -1}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/get", {"name": "m", "version": "one"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/get", {"name": "m", "version": "²"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/get", {"name": "m", "version": "٣"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/search", {"filter": "version_number = '²'"}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "registered-models/search", {"page_token": NUL_TOKEN}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "model-versions/search", {"page_token": NUL_PAIR_TOKEN}, None, 400, "INVALID_PARAMETER_VALUE"),
        ("POST", "model-versions/create", None, {"name": "m"}, 400, "INVALID_PARAMETER_VALUE"),
        ("POST", "model-versions/create", None, {"name": "nope", "source": "s3://x"}, 404, "RESOURCE_DOES_NOT_EXIST"),
        (
            "POST",
            "model-versions/create",
            None,
            {"name": "m", "source": "files:/not-a-uuid"},
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/alias",
            None,
            {"name": "m", "alias": "prod", "version": "9"},
            404,
            "RESOURCE_DOES_NOT_EXIST",
        ),
    ],
)
async def test_errors_are_mlflow_error_json(
    client: Client,
    user: Headers,
    method: str,
    path: str,
    params: dict[str, object] | None,
    body: dict[str, object] | None,
    status: int,
    code: str,
) -> None:
    me = user()
    await client.post(f"{API}/registered-models/create", json={"name": "m"}, headers=me)
    answer = await client.request(method, f"{API}/{path}", params=params, json=body, headers=me)
    assert answer.status_code == status, answer.text
    assert answer.json()["error_code"] == code
    assert isinstance(answer.json()["message"], str)


async def test_duplicate_name_and_unauthenticated_calls(client: Client, user: Headers) -> None:
    me = user()
    await client.post(f"{API}/registered-models/create", json={"name": "twice"}, headers=me)
    again = await client.post(f"{API}/registered-models/create", json={"name": "twice"}, headers=me)
    assert (again.status_code, again.json()["error_code"]) == (400, "RESOURCE_ALREADY_EXISTS")
    anonymous = await client.get(f"{API}/registered-models/search")
    assert anonymous.status_code == 401
