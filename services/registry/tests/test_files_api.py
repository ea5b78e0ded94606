"""Files over HTTP: upload streamed to storage, list with cursors, content with ranges, delete."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from registry_fakes import RecordingOutbox
from registry_users import User

from mlp.registry.application.files import SWEEP_BLOB_JOB

Client = AsyncTestClient[Litestar]


async def upload(client: Client, user: User, data: bytes, name: str = "data.csv", purpose: str = "dataset") -> Any:
    return await client.post(
        "/v1/files", files={"file": (name, data, "text/csv")}, data={"purpose": purpose}, headers=user.headers
    )


async def test_upload_answers_openai_fields_and_stores_the_bytes(
    client: Client, new_user: Callable[..., User], blob_root: Path, outbox: RecordingOutbox
) -> None:
    user = new_user()
    data = b"a,b\n1,2\n"
    response = await upload(client, user, data, name="my data.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "file"
    assert body["bytes"] == len(data)
    assert body["filename"] == "my data.csv"
    assert body["purpose"] == "dataset"
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["content_type"] == "text/csv"
    assert isinstance(body["created_at"], int)
    assert (blob_root / "files" / str(user.id) / body["id"]).read_bytes() == data
    assert any(e.action == "file.create" and e.resource_id == body["id"] for e in outbox.audits)
    assert any(u.metric == "storage.bytes" and u.quantity == len(data) and u.user_id == user.id for u in outbox.usages)


async def test_content_streams_with_checksum_and_ranges(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    data = bytes(range(256)) * 40
    file_id = (await upload(client, user, data, name="blob.bin", purpose="artifact")).json()["id"]
    whole = await client.get(f"/v1/files/{file_id}/content", headers=user.headers)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["x-checksum-sha256"] == hashlib.sha256(data).hexdigest()
    assert whole.headers["accept-ranges"] == "bytes"
    part = await client.get(f"/v1/files/{file_id}/content", headers={**user.headers, "range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = await client.get(f"/v1/files/{file_id}/content", headers={**user.headers, "range": "bytes=-5"})
    assert tail.content == data[-5:]
    beyond = await client.get(f"/v1/files/{file_id}/content", headers={**user.headers, "range": "bytes=99999-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"


async def test_list_filters_by_purpose_and_pages_with_a_cursor(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    ids = [(await upload(client, user, f"x,{i}\n".encode(), purpose="fine-tune")).json()["id"] for i in range(3)]
    await upload(client, user, b"other\n", purpose="report")
    first = (await client.get("/v1/files?purpose=fine-tune&limit=2", headers=user.headers)).json()
    assert first["object"] == "list"
    assert first["has_more"] is True
    rest = (
        await client.get(f"/v1/files?purpose=fine-tune&limit=2&after={first['last_id']}", headers=user.headers)
    ).json()
    assert rest["has_more"] is False
    seen = [f["id"] for f in first["data"] + rest["data"]]
    assert sorted(seen) == sorted(ids)
    assert len(set(seen)) == 3


async def test_delete_removes_the_row_now_and_queues_the_bytes(
    client: Client, new_user: Callable[..., User], outbox: RecordingOutbox, blob_root: Path
) -> None:
    user = new_user()
    file_id = (await upload(client, user, b"a\n1\n")).json()["id"]
    response = await client.delete(f"/v1/files/{file_id}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == {"id": file_id, "object": "file", "deleted": True}
    assert (await client.get(f"/v1/files/{file_id}", headers=user.headers)).status_code == 404
    key = f"files/{user.id}/{file_id}"
    assert key.encode() in outbox.take_jobs(SWEEP_BLOB_JOB)
    assert (blob_root / key).exists()  # the worker's sweep removes it, not the request


async def test_another_users_file_is_404_everywhere(client: Client, new_user: Callable[..., User]) -> None:
    owner, other = new_user(), new_user()
    file_id = (await upload(client, owner, b"a\n1\n")).json()["id"]
    for method, path in [
        ("GET", f"/v1/files/{file_id}"),
        ("GET", f"/v1/files/{file_id}/content"),
        ("DELETE", f"/v1/files/{file_id}"),
    ]:
        response = await client.request(method, path, headers=other.headers)
        assert response.status_code == 404, (method, path)
        assert response.json()["type"] == "urn:mlp:problem:file-not-found"
    assert (await client.get(f"/v1/files/{file_id}", headers=owner.headers)).status_code == 200
    listed = (await client.get("/v1/files", headers=other.headers)).json()
    assert listed["data"] == []


async def test_reading_needs_the_datasets_scope(client: Client, new_user: Callable[..., User]) -> None:
    reader = new_user("datasets:read")
    assert (await client.get("/v1/files", headers=reader.headers)).status_code == 200
    refused = await upload(client, reader, b"a\n")
    assert refused.status_code == 403
    assert (await client.get(f"/v1/files/{uuid.uuid4()}", headers=new_user("models:read").headers)).status_code == 403
