"""The official ``openai`` package's Files client works against registry unchanged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openai import AsyncOpenAI, NotFoundError
from registry_users import User


async def test_openai_client_creates_lists_retrieves_downloads_and_deletes(
    client: AsyncTestClient[Litestar], new_user: Callable[..., User]
) -> None:
    user = new_user()
    token = user.headers["authorization"].removeprefix("Bearer ")
    openai = AsyncOpenAI(base_url=f"{client.base_url}/v1", api_key=token, http_client=client, max_retries=0)
    data = b'{"messages": [{"role": "user", "content": "hi"}]}\n'

    created = await openai.files.create(file=("train.jsonl", data), purpose="fine-tune")
    assert created.object == "file"
    assert created.bytes == len(data)
    assert created.filename == "train.jsonl"
    assert created.purpose == "fine-tune"

    listed = [f.id async for f in openai.files.list(purpose="fine-tune")]
    assert listed == [created.id]
    retrieved = await openai.files.retrieve(created.id)
    assert retrieved.id == created.id
    assert retrieved.created_at == created.created_at
    assert (await openai.files.content(created.id)).content == data

    deleted = await openai.files.delete(created.id)
    assert deleted.deleted is True
    assert deleted.id == created.id
    with pytest.raises(NotFoundError):
        await openai.files.retrieve(created.id)
