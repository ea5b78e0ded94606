"""Files and datasets across real processes: the ``openai`` package with an API key made at identity,
and a CSV large enough for registry's worker to ingest it in the background."""

from __future__ import annotations

import asyncio

import httpx
from openai import AsyncOpenAI

from mlp.devtools.firebase_emulator import FirebaseEmulator

BIG_CSV = b"id,text\n" + b"".join(f"{i},row number {i} of the file\n".encode() for i in range(300_000))


async def test_openai_files_client_with_an_api_key_then_a_dataset_made_by_the_worker(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(timeout=60) as http:
        signed_in = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
        key = await http.post(
            f"{platform['identity']}/v1/api-keys", json={"name": "sdk", "scopes": ["datasets:*"]}, headers=session
        )
        assert key.status_code == 201, key.text
        api_key = key.json()["secret"]

        client = AsyncOpenAI(base_url=f"{platform['registry']}/v1", api_key=api_key, max_retries=0)
        small = await client.files.create(file=("small.csv", b"a,b\n1,2\n"), purpose="user_data")
        assert [f.id async for f in client.files.list()] == [small.id]
        assert (await client.files.retrieve(small.id)).bytes == 8
        assert (await client.files.content(small.id)).content == b"a,b\n1,2\n"
        assert (await client.files.delete(small.id)).deleted

        big = await client.files.create(file=("big.csv", BIG_CSV), purpose="dataset")
        headers = {"authorization": f"Bearer {api_key}"}
        created = await http.post(
            f"{platform['registry']}/v1/datasets", json={"name": "big", "file_id": big.id}, headers=headers
        )
        assert created.status_code == 202, created.text
        dataset_id = created.json()["id"]
        status = "processing"
        for _ in range(300):
            version = await http.get(f"{platform['registry']}/v1/datasets/{dataset_id}/versions/1", headers=headers)
            status = version.json()["status"]
            if status != "processing":
                break
            await asyncio.sleep(0.1)
        assert status == "ready", version.text
        assert version.json()["row_count"] == 300_000
        rows = await http.get(
            f"{platform['registry']}/v1/datasets/{dataset_id}/rows?limit=2&version=1", headers=headers
        )
        assert rows.json()["data"][1]["values"] == {"id": 1, "text": "row number 1 of the file"}
