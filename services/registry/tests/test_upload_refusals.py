"""Uploads that are refused: too large, over quota, unknown purpose, bad filenames; nothing stays behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from dataset_helpers import Client
from registry_users import User


def blobs_of(root: Path, user: User) -> list[Path]:
    return [p for p in (root / "files" / str(user.id)).glob("*")] + list((root / ".tmp").glob("*"))


async def post_file(client: Client, user: User, data: bytes, name: str = "x.csv", purpose: str = "dataset") -> Any:
    """A multipart body written by hand: httpx would clean the filename up before we could refuse it."""
    boundary = "t3st-b0undary"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return await client.post("/v1/files", content=body, headers={**user.headers, "content-type": content_type})


async def test_announced_oversize_body_is_refused_before_reading(
    small_quota_client: Client, new_user: Callable[..., User], blob_root: Path
) -> None:
    user = new_user()
    response = await small_quota_client.post(
        "/v1/files",
        content=b"",
        headers={**user.headers, "content-type": "multipart/form-data; boundary=x", "content-length": str(10**9)},
    )
    assert response.status_code == 413
    assert response.json()["type"] == "urn:mlp:problem:file-too-large"
    assert response.json()["limit_bytes"] == 64 * 1024
    assert blobs_of(blob_root, user) == []


async def test_streamed_body_is_cut_off_once_past_the_cap(
    small_quota_client: Client, new_user: Callable[..., User], blob_root: Path
) -> None:
    user = new_user()
    boundary = "b0undary"

    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\ndataset\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        ).encode()
        + b"x" * 100_000
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def drop_content_length(request: httpx.Request) -> None:  # as a chunked upload arrives
        del request.headers["content-length"]

    small_quota_client.event_hooks["request"].append(drop_content_length)
    try:
        response = await small_quota_client.post(
            "/v1/files",
            content=body,
            headers={**user.headers, "content-type": f"multipart/form-data; boundary={boundary}"},
        )
    finally:
        small_quota_client.event_hooks["request"].remove(drop_content_length)
    assert response.status_code == 413
    assert response.json()["field"] == "file"
    assert blobs_of(blob_root, user) == []
    assert (await small_quota_client.get("/v1/files", headers=user.headers)).json()["data"] == []


async def test_quota_refusal_says_how_much_is_left(small_quota_client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    for _ in range(2):
        assert (await post_file(small_quota_client, user, b"y" * 40_000)).status_code == 200
    response = await post_file(small_quota_client, user, b"z" * 30_000)
    assert response.status_code == 413
    problem = response.json()
    assert problem["type"] == "urn:mlp:problem:storage-quota-exceeded"
    assert problem["remaining_bytes"] == 20_000
    assert "20000 bytes left" in problem["detail"]


async def test_unknown_purpose_is_refused_and_nothing_is_stored(
    client: Client, new_user: Callable[..., User], blob_root: Path
) -> None:
    user = new_user()
    response = await post_file(client, user, b"a\n", purpose="weights")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:mlp:problem:unknown-purpose"
    assert response.json()["field"] == "purpose"
    assert blobs_of(blob_root, user) == []


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..", "dir/file.csv", "..\\..\\x.csv", "bell\x07.csv", "rtl\u202etxt.csv", "n" * 300, " "],
    ids=["traversal", "dotdot", "path", "windows-path", "control", "bidi-override", "too-long", "blank"],
)
async def test_unacceptable_filenames_are_refused(
    client: Client, new_user: Callable[..., User], blob_root: Path, name: str
) -> None:
    user = new_user()
    response = await post_file(client, user, b"a\n", name=name)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:mlp:problem:invalid-filename"
    assert blobs_of(blob_root, user) == []


async def test_a_form_without_a_file_or_not_multipart_is_refused(client: Client, new_user: Callable[..., User]) -> None:
    user = new_user()
    no_file = await client.post("/v1/files", data={"purpose": "dataset"}, files={}, headers=user.headers)
    assert no_file.status_code in (400, 415)
    as_json = await client.post("/v1/files", json={"purpose": "dataset"}, headers=user.headers)
    assert as_json.status_code == 415
    assert as_json.json()["type"] == "urn:mlp:problem:unsupported-media-type"


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=10001", "order=sideways", "after=not-a-uuid"], ids=["zero", "huge", "order", "cursor"]
)
async def test_list_parameters_out_of_range_are_400(client: Client, new_user: Callable[..., User], query: str) -> None:
    response = await client.get(f"/v1/files?{query}", headers=new_user().headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
