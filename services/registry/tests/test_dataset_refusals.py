"""CSV files that do not become datasets: each refused with every problem and its line, nothing left."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
from dataset_helpers import Client, create_dataset, upload_csv
from registry_users import User

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(200)


async def assert_nothing_left(client: Client, user: User, name: str) -> None:
    assert (await client.get("/v1/datasets", headers=user.headers)).json()["data"] == []
    assert (await create_dataset(client, user, b"a\n1\n", name)).status_code == 201  # the name is still free


@pytest.mark.parametrize(
    ("data", "lines", "words"),
    [
        (b"a,b\n1,2\n3\n4,5,6\n7,8\n", [3, 4], "fields"),
        (b'a,b\n1,"never closed\n2,3\n', [2], "quote"),
        (b"a,b\n1,2\n3,\xff\xfe\n", [3], "utf-8"),
        (b"a,b\n1," + b"x" * (10 * 1024 * 1024) + b"\n", [2], "field"),
        (b",".join(f"c{i}".encode() for i in range(100_000)) + b"\n", [1], "columns"),
        (b"a,a\n1,2\n", [1], "duplicate"),
        (b"", [1], "empty"),
    ],
    ids=[
        "ragged",
        "unclosed-quote",
        "bad-encoding",
        "10MB-field",
        "100k-columns",
        "duplicate-names",
        "empty",
    ],
)
async def test_malformed_csv_is_refused_with_its_problems(
    client: Client, new_user: Callable[..., User], data: bytes, lines: list[int], words: str
) -> None:
    user = new_user()
    response = await create_dataset(client, user, data, "bad")
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:mlp:problem:invalid-csv"
    assert problem["field"] == "file_id"
    assert [p["line"] for p in problem["problems"]] == lines
    assert words in " ".join(p["message"] for p in problem["problems"]).lower()
    await assert_nothing_left(client, user, "bad")


async def test_problems_are_capped(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    response = await create_dataset(client, user, b"a,b\n" + b"1\n" * 100, "many")
    assert len(response.json()["problems"]) == 10  # csv_max_problems in the tests' settings


@pytest.mark.parametrize("data", [PNG, b"a,b\n\x00\x01\x02\x03" * 100], ids=["png", "nul-bytes"])
async def test_a_binary_file_is_not_a_dataset(client: Client, new_user: Callable[..., User], data: bytes) -> None:
    user = new_user()
    response = await create_dataset(client, user, data, "binary")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:mlp:problem:not-csv"
    await assert_nothing_left(client, user, "binary")


async def test_options_are_checked(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    file_id = await upload_csv(client, user, b"a\n1\n")
    for options, field in [
        ({"delimiter": ",,"}, "delimiter"),
        ({"encoding": "klingon-8"}, "encoding"),
        ({"name": ""}, "name"),
        ({"name": "x" * 200}, "name"),
        ({"unknown": 1}, "unknown"),
    ]:
        body = {"name": "opts", "file_id": file_id, **options}
        response = await client.post("/v1/datasets", json=body, headers=user.headers)
        assert response.status_code in (400, 422), (options, response.text)
        assert field in response.text


async def test_a_name_in_use_is_409(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    assert (await create_dataset(client, user, b"a\n1\n", "twice")).status_code == 201
    again = await create_dataset(client, user, b"a\n1\n", "twice")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:mlp:problem:dataset-name-taken"


async def test_another_users_ids_are_404_everywhere(client: Client, new_user: Callable[..., User]) -> None:
    owner, other = new_user(), new_user()
    dataset_id = (await create_dataset(client, owner, b"a\n1\n", "mine")).json()["id"]
    file_id = await upload_csv(client, owner, b"a\n2\n")
    for method, path, body in [
        ("GET", f"/v1/datasets/{dataset_id}", None),
        ("GET", f"/v1/datasets/{dataset_id}/rows", None),
        ("GET", f"/v1/datasets/{dataset_id}/preview", None),
        ("GET", f"/v1/datasets/{dataset_id}/export", None),
        ("GET", f"/v1/datasets/{dataset_id}/versions/1", None),
        ("DELETE", f"/v1/datasets/{dataset_id}", None),
        ("POST", f"/v1/datasets/{dataset_id}/versions", {"file_id": await upload_csv(client, other, b"a\n1\n")}),
        ("POST", "/v1/datasets", {"name": "theirs", "file_id": file_id}),
    ]:
        response = await client.request(method, path, json=body, headers=other.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get(f"/v1/datasets/{dataset_id}/rows", headers=owner.headers)).status_code == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "version=0", "cursor=bm9wZQ", "version=abc"], ids=str)
async def test_rows_parameters_out_of_range_are_400(client: Client, new_user: Callable[..., User], query: str) -> None:
    user = new_user()
    dataset_id = (await create_dataset(client, user, b"a\n1\n", "params")).json()["id"]
    response = await client.get(f"/v1/datasets/{dataset_id}/rows?{query}", headers=user.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_dataset_and_version_are_404(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    assert (await client.get(f"/v1/datasets/{uuid.uuid4()}/rows", headers=user.headers)).status_code == 404
    dataset_id = (await create_dataset(client, user, b"a\n1\n", "v")).json()["id"]
    missing = await client.get(f"/v1/datasets/{dataset_id}/rows?version=7", headers=user.headers)
    assert missing.status_code == 404
    assert missing.json()["field"] == "version"
