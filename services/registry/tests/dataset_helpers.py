"""Uploading a CSV and making a dataset of it, for the dataset tests."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from registry_users import User

Client = AsyncTestClient[Litestar]


async def upload_csv(client: Client, user: User, data: bytes, name: str = "data.csv") -> str:
    response = await client.post(
        "/v1/files", files={"file": (name, data, "text/csv")}, data={"purpose": "dataset"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    file_id: str = response.json()["id"]
    return file_id


async def create_dataset(client: Client, user: User, data: bytes, name: str, **options: Any) -> Any:
    file_id = await upload_csv(client, user, data)
    return await client.post("/v1/datasets", json={"name": name, "file_id": file_id, **options}, headers=user.headers)
