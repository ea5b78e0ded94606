"""Datasets over HTTP: CSV ingestion with typed columns, rows paged by cursor, versions, preview, export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import msgspec
from dataset_helpers import Client, create_dataset, upload_csv
from registry_fakes import RecordingOutbox
from registry_users import User

from mlp.common.contracts.datasets import DatasetRowsPage
from mlp.registry.application.dataset_reads import DROP_ROWS_JOB

CSV = b'id,score,ok,meta,name\n1,0.5,true,"{""k"": 1}",ada\n2,1e3,FALSE,[1],"b, c"\n3,,true,{},\n'


async def test_a_small_csv_is_a_ready_dataset_with_typed_columns(
    client: Client, new_user: Callable[..., User], outbox: RecordingOutbox
) -> None:
    user = new_user()
    response = await create_dataset(client, user, CSV, "scores")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["latest_version"] == 1
    version = body["versions"][0]
    assert version["status"] == "ready"
    assert version["row_count"] == 3
    assert [(c["name"], c["type"]) for c in version["columns"]] == [
        ("id", "integer"),
        ("score", "float"),
        ("ok", "boolean"),
        ("meta", "json"),
        ("name", "string"),
    ]
    assert any(e.action == "dataset.create" and e.resource_id == body["id"] for e in outbox.audits)


async def test_rows_follow_the_shared_contract_and_page_with_a_cursor(
    client: Client, new_user: Callable[..., User]
) -> None:
    user = new_user()
    dataset_id = (await create_dataset(client, user, CSV, "paged")).json()["id"]
    first = await client.get(f"/v1/datasets/{dataset_id}/rows?limit=2", headers=user.headers)
    assert first.status_code == 200, first.text
    page = msgspec.json.decode(first.content, type=DatasetRowsPage)
    assert page.version == 1
    assert [r.row_number for r in page.data] == [1, 2]
    assert page.data[0].values == {"id": 1, "score": 0.5, "ok": True, "meta": {"k": 1}, "name": "ada"}
    assert page.has_more
    assert page.next_cursor is not None
    rest = msgspec.json.decode(
        (await client.get(f"/v1/datasets/{dataset_id}/rows?cursor={page.next_cursor}", headers=user.headers)).content,
        type=DatasetRowsPage,
    )
    assert [r.row_number for r in rest.data] == [3]
    assert rest.data[0].values == {"id": 3, "score": None, "ok": True, "meta": {}, "name": None}
    assert not rest.has_more
    assert rest.next_cursor is None


async def test_versions_are_immutable_and_rows_take_a_version(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    dataset_id = (await create_dataset(client, user, b"q\nold\n", "versioned")).json()["id"]
    new_file = await upload_csv(client, user, b"q,a\nnew,1\nnewer,2\n")
    second = await client.post(f"/v1/datasets/{dataset_id}/versions", json={"file_id": new_file}, headers=user.headers)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    latest = (await client.get(f"/v1/datasets/{dataset_id}/rows", headers=user.headers)).json()
    assert latest["version"] == 2
    assert [r["values"]["q"] for r in latest["data"]] == ["new", "newer"]
    old = (await client.get(f"/v1/datasets/{dataset_id}/rows?version=1", headers=user.headers)).json()
    assert [r["values"] for r in old["data"]] == [{"q": "old"}]
    detail = (await client.get(f"/v1/datasets/{dataset_id}", headers=user.headers)).json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["latest_version"] == 2


async def test_preview_shows_the_first_rows(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    data = b"n\n" + b"".join(f"{i}\n".encode() for i in range(1, 51))
    dataset_id = (await create_dataset(client, user, data, "long")).json()["id"]
    preview = (await client.get(f"/v1/datasets/{dataset_id}/preview?limit=5", headers=user.headers)).json()
    assert [r["values"]["n"] for r in preview["data"]] == [1, 2, 3, 4, 5]
    assert preview["has_more"] is True


async def test_csv_export_gives_back_the_cells_with_formulas_defused(
    client: Client, new_user: Callable[..., User]
) -> None:
    user = new_user()
    data = b"n,text\n-3,=SUM(A1)\n4,+1\n5,@cmd\n6,plain\n"
    dataset_id = (await create_dataset(client, user, data, "export")).json()["id"]
    response = await client.get(f"/v1/datasets/{dataset_id}/export", headers=user.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == "n,text\n-3,'=SUM(A1)\n4,'+1\n5,'@cmd\n6,plain\n"


async def test_jsonl_export_has_typed_values(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    dataset_id = (await create_dataset(client, user, CSV, "jsonl")).json()["id"]
    response = await client.get(f"/v1/datasets/{dataset_id}/export?format=jsonl", headers=user.headers)
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines[1] == {"id": 2, "score": 1000.0, "ok": False, "meta": [1], "name": "b, c"}
    assert len(lines) == 3


async def test_delimiter_and_encoding_can_be_given(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    data = "nom;ville\nZoé;Besançon\n".encode("latin-1")
    response = await create_dataset(client, user, data, "latin", delimiter=";", encoding="latin-1")
    assert response.status_code == 201, response.text
    rows = (await client.get(f"/v1/datasets/{response.json()['id']}/rows", headers=user.headers)).json()
    assert rows["data"][0]["values"] == {"nom": "Zoé", "ville": "Besançon"}


async def test_delete_hides_the_dataset_frees_its_name_and_queues_its_rows(
    client: Client, new_user: Callable[..., User], outbox: RecordingOutbox
) -> None:
    user = new_user()
    created = (await create_dataset(client, user, CSV, "gone")).json()
    dataset_id = created["id"]
    assert (await client.delete(f"/v1/datasets/{dataset_id}", headers=user.headers)).status_code == 204
    assert created["versions"][0]["id"].encode() in outbox.take_jobs(DROP_ROWS_JOB)
    assert any(e.action == "dataset.delete" and e.resource_id == dataset_id for e in outbox.audits)
    assert (await client.get(f"/v1/datasets/{dataset_id}/rows", headers=user.headers)).status_code == 404
    assert (await create_dataset(client, user, CSV, "gone")).status_code == 201


async def test_list_pages_my_datasets(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    for name in ("a", "b", "c"):
        await create_dataset(client, user, CSV, name)
    first = (await client.get("/v1/datasets?limit=2", headers=user.headers)).json()
    assert first["has_more"] is True
    rest = (await client.get(f"/v1/datasets?limit=2&cursor={first['next_cursor']}", headers=user.headers)).json()
    assert sorted(d["name"] for d in first["data"] + rest["data"]) == ["a", "b", "c"]


async def test_cells_come_back_exactly_whatever_they_hold(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    nasty = ['"],["', "back\\slash\\n", "tab\there", "new\nline", "é😀", "\\\\", '{"a": "\\u0001"}', " ", "\r"]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([["cell"], *[[cell] for cell in nasty]])
    dataset_id = (await create_dataset(client, user, buffer.getvalue().encode(), "nasty")).json()["id"]
    rows = (await client.get(f"/v1/datasets/{dataset_id}/rows", headers=user.headers)).json()
    assert [r["values"]["cell"] for r in rows["data"]] == nasty


async def test_a_dataset_has_a_bounded_number_of_versions(
    small_quota_client: Client, new_user: Callable[..., User]
) -> None:
    user = new_user()
    dataset_id = (await create_dataset(small_quota_client, user, b"q\n1\n", "capped")).json()["id"]
    file_id = await upload_csv(small_quota_client, user, b"q\n2\n")
    path = f"/v1/datasets/{dataset_id}/versions"
    for _ in range(2):
        added = await small_quota_client.post(path, json={"file_id": file_id}, headers=user.headers)
        assert added.status_code == 201, added.text
    refused = await small_quota_client.post(path, json={"file_id": file_id}, headers=user.headers)
    assert refused.status_code == 409, refused.text
    assert (refused.json()["type"], refused.json()["field"]) == ("urn:mlp:problem:too-many-versions", "dataset_id")
    detail = (await small_quota_client.get(f"/v1/datasets/{dataset_id}", headers=user.headers)).json()
    assert [v["version"] for v in detail["versions"]] == [1, 2, 3]
