"""The worker's side: large CSV files ingested in the background, deleted bytes swept, users purged.

These run the use cases over the real transactional outbox (pgqueuer's table in schema registry)
and call the worker's job handlers as ``mlp worker registry`` would.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec
import pytest
from dataset_helpers import Client, create_dataset
from platform_tokens import SigningKeys
from registry_fakes import RecordingOutbox
from registry_users import User

from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.registry.adapters.storage.local import LocalBlobStorage
from mlp.registry.application.csv_reader import DialectHint
from mlp.registry.application.dataset_reads import DROP_ROWS_JOB
from mlp.registry.application.datasets import INGEST_JOB
from mlp.registry.application.files import SWEEP_BLOB_JOB, SWEEP_USER_BLOBS_JOB
from mlp.registry.application.ports import BlobStorage
from mlp.registry.files_wiring import FilesPart, files_part
from mlp.registry.settings import RegistrySettings

ROWS = b"n,word\n" + b"".join(f"{i},w{i}\n".encode() for i in range(1, 2001))


@pytest.fixture
async def worker_part(registry_settings: RegistrySettings) -> AsyncIterator[FilesPart]:
    """The part as the worker builds it: its own engine, the same storage, the real outbox."""
    async with files_part(registry_settings) as part:
        yield part


async def queued(database_url: str, entrypoint: str) -> list[bytes]:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        rows = await conn.fetch("SELECT payload FROM registry.pgqueuer WHERE entrypoint = $1", entrypoint)
    finally:
        await conn.close()
    return [bytes(r["payload"]) for r in rows]


async def test_a_large_csv_is_ingested_by_the_worker(
    small_quota_client: Client, new_user: Callable[..., User], outbox: RecordingOutbox, worker_part: FilesPart
) -> None:
    user = new_user()
    response = await create_dataset(small_quota_client, user, ROWS, "big")
    assert response.status_code == 202, response.text
    dataset_id, version = response.json()["id"], response.json()["versions"][0]
    assert version["status"] == "processing"
    assert (await small_quota_client.get(f"/v1/datasets/{dataset_id}/rows", headers=user.headers)).status_code == 404

    [job] = [p for p in outbox.take_jobs(INGEST_JOB) if p == version["id"].encode()]
    await worker_part.job_handlers(1)[INGEST_JOB].handler(job)
    await worker_part.job_handlers(1)[INGEST_JOB].handler(job)  # a redelivery changes nothing

    done = (await small_quota_client.get(f"/v1/datasets/{dataset_id}/versions/1", headers=user.headers)).json()
    assert done["status"] == "ready"
    assert done["row_count"] == 2000
    assert [c["type"] for c in done["columns"]] == ["integer", "string"]
    page = (await small_quota_client.get(f"/v1/datasets/{dataset_id}/rows?limit=1000", headers=user.headers)).json()
    assert page["data"][-1] == {"row_number": 1000, "values": {"n": 1000, "word": "w1000"}}


async def test_a_bad_large_csv_fails_in_the_worker_with_its_problems_and_no_rows(
    small_quota_client: Client, new_user: Callable[..., User], outbox: RecordingOutbox, worker_part: FilesPart
) -> None:
    user = new_user()
    response = await create_dataset(small_quota_client, user, ROWS + b"1,2,3\n", "broken")
    dataset_id, version_id = response.json()["id"], response.json()["versions"][0]["id"]
    [job] = [p for p in outbox.take_jobs(INGEST_JOB) if p == version_id.encode()]
    await worker_part.job_handlers(1)[INGEST_JOB].handler(job)
    failed = (await small_quota_client.get(f"/v1/datasets/{dataset_id}/versions/1", headers=user.headers)).json()
    assert failed["status"] == "failed"
    assert failed["problems"] == [{"line": 2002, "message": "expected 2 fields, found 3"}]
    assert await rows_left(worker_part, uuid.UUID(version_id)) == 0


async def rows_left(part: FilesPart, version_id: uuid.UUID) -> int:
    async with part.files._uow() as uow:
        return len(await uow.datasets.rows(version_id, 0, 10))


async def upload(part: FilesPart, user_id: uuid.UUID, data: bytes) -> uuid.UUID:
    pending = await part.files.start_upload(user_id)
    await pending.write(data)
    return (await part.files.complete(pending, "f.csv", "dataset")).id


async def test_delete_queues_the_sweep_and_audit_in_its_transaction(
    worker_part: FilesPart, registry_settings: RegistrySettings
) -> None:
    user_id = uuid.uuid4()
    file_id = await upload(worker_part, user_id, b"a\n1\n")
    key = f"files/{user_id}/{file_id}"
    await worker_part.files.delete(user_id, file_id)
    assert key.encode() in await queued(registry_settings.database_url, SWEEP_BLOB_JOB)
    audits = b"".join(await queued(registry_settings.database_url, "outbox.audit"))
    assert str(file_id).encode() in audits
    assert b"file.delete" in audits
    usage = b"".join(await queued(registry_settings.database_url, "outbox.usage"))
    assert f"registry.file.{file_id}".encode() in usage

    blob = Path(registry_settings.data_dir) / key
    assert blob.exists()
    await worker_part.job_handlers(1)[SWEEP_BLOB_JOB].handler(key.encode())
    await worker_part.job_handlers(1)[SWEEP_BLOB_JOB].handler(key.encode())
    assert not blob.exists()


async def test_user_deleted_purges_rows_and_bytes_idempotently(
    client: Client,
    keys: SigningKeys,
    worker_part: FilesPart,
    registry_settings: RegistrySettings,
    outbox: RecordingOutbox,
) -> None:
    user = User(keys)
    dataset = (await create_dataset(client, user, b"a\n1\n", "doomed")).json()
    root = Path(registry_settings.data_dir) / "files" / str(user.id)
    assert any(root.iterdir())
    identity = {"authorization": f"Bearer {keys.service_token('identity')}"}
    event = {"event_id": str(uuid.uuid4()), "user_id": str(user.id), "deleted_at": datetime.now(UTC).isoformat()}
    first = await client.post("/internal/v1/events/user-deleted", json=event, headers=identity)
    assert first.status_code == 200, first.text
    again = await client.post("/internal/v1/events/user-deleted", json=event, headers=identity)
    assert again.json()["duplicate"] is True

    assert (await client.get(f"/v1/datasets/{dataset['id']}", headers=user.headers)).status_code == 404
    assert (await client.get("/v1/files", headers=user.headers)).json()["data"] == []
    prefix = f"files/{user.id}/".encode()
    assert outbox.take_jobs(SWEEP_USER_BLOBS_JOB) == [prefix]  # once: the redelivery did nothing
    version_id = uuid.UUID(dataset["versions"][0]["id"])
    assert outbox.take_jobs(DROP_ROWS_JOB) == [str(version_id).encode()]
    assert await rows_left(worker_part, version_id) == 1
    await worker_part.job_handlers(1)[DROP_ROWS_JOB].handler(str(version_id).encode())
    assert await rows_left(worker_part, version_id) == 0
    await worker_part.job_handlers(1)[SWEEP_USER_BLOBS_JOB].handler(prefix)
    await worker_part.job_handlers(1)[SWEEP_USER_BLOBS_JOB].handler(prefix)
    assert not root.exists()


class SlicingStorage:
    """Local storage whose reads come in small slices; between slices it notes the version's
    row_count as another connection sees it (the progress a polling client gets)."""

    def __init__(self, inner: BlobStorage, database_url: str) -> None:
        self.inner = inner
        self.database_url = database_url
        self.version_id: uuid.UUID | None = None
        self.seen: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        conn = await asyncpg.connect(plain_database_url(self.database_url))
        try:
            async for chunk in self.inner.read(key, start, end):
                for i in range(0, len(chunk), 4096):
                    yield chunk[i : i + 4096]
                    query = "SELECT row_count FROM registry.dataset_versions WHERE id = $1"
                    self.seen.append(await conn.fetchval(query, self.version_id))
        finally:
            await conn.close()


async def test_background_ingestion_reports_rows_so_far(registry_settings: RegistrySettings) -> None:
    settings = msgspec.structs.replace(registry_settings, csv_inline_max_bytes=1024)
    data = b"n,word\n" + b"".join(f"{i},w{i}\n".encode() for i in range(1, 20001))
    engine = create_engine(registry_settings.database_url, 2)
    storage = SlicingStorage(LocalBlobStorage(registry_settings.data_dir), registry_settings.database_url)
    try:
        part = FilesPart(engine, storage, settings, RecordingOutbox())
        user_id = uuid.uuid4()
        file_id = await upload(part, user_id, data)
        _, version = await part.datasets.create(user_id, "progress", None, file_id, DialectHint())
        assert version.status == "processing"
        storage.version_id = version.id
        await part.datasets.ingest(version.id)
    finally:
        await engine.dispose()
    assert storage.seen == sorted(storage.seen)
    assert 0 < storage.seen[len(storage.seen) // 2] < 20000  # visible while the rows are still uncommitted


async def version_row(database_url: str, version_id: uuid.UUID) -> asyncpg.Record:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        row: asyncpg.Record = await conn.fetchrow(
            "SELECT status, row_count, problems::text FROM registry.dataset_versions WHERE id = $1", version_id
        )
        return row
    finally:
        await conn.close()


async def test_a_small_gzip_file_is_inflated_by_the_worker_never_in_the_request(
    worker_part: FilesPart, registry_settings: RegistrySettings
) -> None:
    user_id = uuid.uuid4()
    bomb = await upload(worker_part, user_id, gzip.compress(b"a,b\n" + b"1,2\n" * 5_000_000))  # 40 MB in ~40 KB
    _, bomb_version = await worker_part.datasets.create(user_id, "bomb", None, bomb, DialectHint())
    assert bomb_version.status == "processing"
    await worker_part.datasets.ingest(bomb_version.id)
    refused = await version_row(registry_settings.database_url, bomb_version.id)
    assert (refused["status"], refused["row_count"]) == ("failed", 0)
    assert "compression ratio" in refused["problems"]

    small = await upload(worker_part, user_id, gzip.compress(b"a,b\n1,2\n3,4\n"))
    _, version = await worker_part.datasets.create(user_id, "small", None, small, DialectHint())
    assert version.status == "processing"
    await worker_part.datasets.ingest(version.id)
    done = await version_row(registry_settings.database_url, version.id)
    assert (done["status"], done["row_count"]) == ("ready", 2)
