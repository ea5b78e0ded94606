"""The native model API over HTTP: models' lifecycle, filters and cursor pages, and bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import asyncpg
import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.contracts.audit import OperationEventBatch
from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.outbox import AUDIT_ENTRYPOINT

Client = AsyncTestClient[Litestar]
Headers = Callable[..., dict[str, str]]
BASE = "/v1/registered-models"


async def test_model_lifecycle_create_get_update_rename_delete(client: Client, user: Headers) -> None:
    me = user()
    created = await client.post(
        BASE, json={"name": "churn", "task": "classification", "tags": {"team": "ds"}}, headers=me
    )
    assert created.status_code == 201, created.text
    model = created.json()
    assert (model["name"], model["task"], model["tags"], model["aliases"]) == (
        "churn",
        "classification",
        {"team": "ds"},
        {},
    )

    assert (await client.get(f"{BASE}/{model['id']}", headers=me)).json()["name"] == "churn"
    assert (await client.get(f"{BASE}/by-name/churn", headers=me)).json()["id"] == model["id"]

    updated = await client.patch(
        f"{BASE}/{model['id']}", json={"description": "v2", "tags": {"stage": "dev"}}, headers=me
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["description"], updated.json()["tags"], updated.json()["task"]) == (
        "v2",
        {"stage": "dev"},
        "classification",
    )

    renamed = await client.post(f"{BASE}/{model['id']}/rename", json={"name": "churn-2"}, headers=me)
    assert renamed.json()["name"] == "churn-2"
    assert (await client.get(f"{BASE}/by-name/churn", headers=me)).status_code == 404

    assert (await client.delete(f"{BASE}/{model['id']}", headers=me)).status_code == 204
    assert (await client.get(f"{BASE}/{model['id']}", headers=me)).status_code == 404
    # the name is free again after a soft delete
    assert (await client.post(BASE, json={"name": "churn-2"}, headers=me)).status_code == 201


async def test_duplicate_name_is_409_and_another_users_name_is_free(client: Client, user: Headers) -> None:
    me, other = user(), user()
    assert (await client.post(BASE, json={"name": "dup"}, headers=me)).status_code == 201
    again = await client.post(BASE, json={"name": "dup"}, headers=me)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert (again.json()["type"], again.json()["field"]) == ("urn:mlp:problem:already-exists", "name")
    assert (await client.post(BASE, json={"name": "dup"}, headers=other)).status_code == 201
    await client.post(BASE, json={"name": "dup-2"}, headers=me)
    listed = (await client.get(BASE, headers=me)).json()["data"]
    taken = await client.post(f"{BASE}/{listed[1]['id']}/rename", json={"name": "dup"}, headers=me)
    assert (taken.status_code, taken.json()["field"]) == (409, "new_name")


async def test_another_users_model_is_404_everywhere(client: Client, user: Headers) -> None:
    owner, stranger = user(), user()
    model = (await client.post(BASE, json={"name": "private"}, headers=owner)).json()
    version = await client.post(f"{BASE}/{model['id']}/versions", json={"artifact_uri": "s3://b/m"}, headers=owner)
    assert version.status_code == 201
    for method, path, body in [
        ("GET", f"{BASE}/{model['id']}", None),
        ("GET", f"{BASE}/by-name/private", None),
        ("PATCH", f"{BASE}/{model['id']}", {"description": "mine now"}),
        ("POST", f"{BASE}/{model['id']}/rename", {"name": "stolen"}),
        ("DELETE", f"{BASE}/{model['id']}", None),
        ("POST", f"{BASE}/{model['id']}/versions", {"artifact_uri": "s3://x"}),
        ("GET", f"{BASE}/{model['id']}/versions", None),
        ("GET", f"{BASE}/{model['id']}/versions/1", None),
        ("PATCH", f"{BASE}/{model['id']}/versions/1", {"status": "archived"}),
        ("PUT", f"{BASE}/{model['id']}/aliases/prod", {"version": 1}),
        ("PUT", f"{BASE}/{model['id']}/aliases/prod", {"version_id": version.json()["id"]}),
    ]:
        answer = await client.request(method, path, json=body, headers=stranger)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await client.get(f"{BASE}/{model['id']}", headers=owner)).json()["description"] is None


async def test_list_filters_by_prefix_tag_and_task_in_cursor_pages(client: Client, user: Headers) -> None:
    me = user()
    for i in range(5):
        tags = {"team": "a" if i % 2 == 0 else "b"}
        await client.post(BASE, json={"name": f"fraud_{i}", "tags": tags, "task": "t"}, headers=me)
    await client.post(BASE, json={"name": "fraud%x", "tags": {"team": "a"}}, headers=me)
    await client.post(BASE, json={"name": "other"}, headers=me)

    names, cursor = [], None
    while True:
        params = {"name_prefix": "fraud_", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(BASE, params=params, headers=me)).json()
        names += [m["name"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"fraud_{i}" for i in range(5)]  # '_' is literal, not a LIKE wildcard

    tagged = (await client.get(BASE, params={"tag": "team=a", "task": "t"}, headers=me)).json()["data"]
    assert [m["name"] for m in tagged] == ["fraud_0", "fraud_2", "fraud_4"]


async def test_bad_input_is_problem_json_naming_the_field(client: Client, user: Headers) -> None:
    me = user()
    cases = [
        ("GET", BASE, {"limit": 101}, None, 422, "limit"),
        ("GET", BASE, {"limit": 0}, None, 400, "limit"),
        ("GET", BASE, {"tag": "no-equals-sign"}, None, 422, "tag"),
        ("GET", BASE, {"cursor": "%%%"}, None, 422, "cursor"),
        ("POST", BASE, None, {"name": "a/b"}, 422, "name"),
        ("POST", BASE, None, {"name": ""}, 400, "name"),
        ("POST", BASE, None, {"name": "x", "tags": {"k": "v" * 5001}}, 422, "tags"),
        ("POST", BASE, None, {"name": "x", "colour": "red"}, 400, None),
    ]
    for method, path, params, body, status, field in cases:
        answer = await client.request(method, path, params=params, json=body, headers=me)
        assert answer.status_code == status, (params, body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        if field:
            assert answer.json()["field"] == field, answer.json()
    assert (await client.get(BASE, headers=me)).json()["data"] == []


async def test_scopes_are_required(client: Client, user: Headers) -> None:
    reader = user(uuid.uuid4(), scopes="models:read")
    assert (await client.get(BASE, headers=reader)).status_code == 200
    assert (await client.post(BASE, json={"name": "nope"}, headers=reader)).status_code == 403
    assert (await client.get(BASE, headers=user(uuid.uuid4(), scopes="datasets:read"))).status_code == 403


async def test_changes_queue_audit_events_in_the_outbox(
    real_outbox_client: Client, user: Headers, database_url: str
) -> None:
    client = real_outbox_client
    me_id = uuid.uuid4()
    me = user(me_id)
    model = (await client.post(BASE, json={"name": "audited"}, headers=me)).json()
    await client.post(f"{BASE}/{model['id']}/versions", json={"artifact_uri": "s3://b/m"}, headers=me)
    await client.put(f"{BASE}/{model['id']}/aliases/prod", json={"version": 1}, headers=me)
    assert (await client.post(BASE, json={"name": "audited"}, headers=me)).status_code == 409  # rolled back: no event
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        payloads = await conn.fetch(
            "SELECT payload FROM registry.pgqueuer WHERE entrypoint = $1 ORDER BY id", AUDIT_ENTRYPOINT
        )
    finally:
        await conn.close()
    events = [e for p in payloads for e in msgspec.json.decode(p["payload"], type=OperationEventBatch).events]
    mine = [(e.action, e.resource_id) for e in events if e.user_id == me_id]
    assert [action for action, _ in mine] == ["model.create", "model_version.create", "model_alias.set"]
    assert mine[0][1] == model["id"]


async def test_aliases_over_http_set_move_resolve_as_of_history_delete(client: Client, user: Headers) -> None:
    me = user()
    model = (await client.post(BASE, json={"name": "aliased"}, headers=me)).json()
    other = (await client.post(BASE, json={"name": "other-model"}, headers=me)).json()
    versions = BASE + f"/{model['id']}/versions"
    for _ in range(2):
        await client.post(versions, json={"artifact_uri": "s3://b/m"}, headers=me)
    foreign = (await client.post(f"{BASE}/{other['id']}/versions", json={"artifact_uri": "s3://o"}, headers=me)).json()
    alias = f"{BASE}/{model['id']}/aliases/production"

    first = await client.put(alias, json={"version": 1}, headers=me)
    assert (first.status_code, first.json()["aliases"]) == (200, ["production"])
    set_at = (await client.get(f"{alias}/history", headers=me)).json()[0]["changed_at"]
    moved = await client.put(alias, json={"version": 2}, headers=me)
    assert moved.json()["version"] == 2
    assert (await client.get(alias, headers=me)).json()["version"] == 2
    refused = await client.put(alias, json={"version_id": foreign["id"]}, headers=me)
    assert (refused.status_code, refused.json()["field"]) == (422, "version_id")
    as_of = await client.get(f"{alias}/as-of", params={"at": set_at}, headers=me)
    assert as_of.json()["version"] == 1, as_of.text
    assert (await client.delete(alias, headers=me)).status_code == 204
    assert (await client.get(alias, headers=me)).status_code == 404
    history = (await client.get(f"{alias}/history", headers=me)).json()
    assert [change["version"] for change in history] == [None, 2, 1]
    assert (await client.get(f"{BASE}/{model['id']}", headers=me)).json()["aliases"] == {}


async def test_out_of_range_version_numbers_are_400_not_500(client: Client, user: Headers) -> None:
    me = user()
    model = (await client.post(BASE, json={"name": "bounded"}, headers=me)).json()
    for number in ("0", "2147483648", "99999999999999999999"):
        answer = await client.get(f"{BASE}/{model['id']}/versions/{number}", headers=me)
        assert (answer.status_code, answer.json()["field"]) == (400, "version"), (number, answer.text)
