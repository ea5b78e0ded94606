"""One contract, two adapters: the local filesystem, and S3 against a real S3 server (moto) on loopback."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from mlp.registry.adapters.storage.local import LocalBlobStorage
from mlp.registry.adapters.storage.s3 import MIN_PART, s3_blob_storage
from mlp.registry.application.ports import BlobStorage
from mlp.registry.settings import RegistrySettings

BUCKET = "mlp-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStorage]:
    if request.param == "local":
        yield LocalBlobStorage(tmp_path)
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    settings = RegistrySettings(
        s3_endpoint_url=endpoint,
        s3_bucket=BUCKET,
        s3_access_key_id="test",
        s3_secret_access_key="test",
        s3_part_size_bytes=MIN_PART,
    )
    async with s3_blob_storage(settings) as s3:
        yield s3


async def read_all(storage: BlobStorage, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key, start, end)])


async def write(storage: BlobStorage, key: str, data: bytes, chunk: int = 64 * 1024) -> None:
    writer = await storage.writer(key)
    for i in range(0, len(data), chunk):
        await writer.write(data[i : i + chunk])
    await writer.commit()


async def test_small_blob_round_trips(storage: BlobStorage) -> None:
    await write(storage, "files/u1/a", b"hello world")
    assert await read_all(storage, "files/u1/a") == b"hello world"
    assert await storage.size("files/u1/a") == 11


async def test_large_blob_goes_in_parts_and_reads_back_whole(storage: BlobStorage) -> None:
    data = os.urandom(MIN_PART * 2 + 12345)
    await write(storage, "files/u1/big", data, chunk=1024 * 1024)
    assert hashlib.sha256(await read_all(storage, "files/u1/big")).digest() == hashlib.sha256(data).digest()


async def test_ranges_read_exactly_the_asked_bytes(storage: BlobStorage) -> None:
    data = bytes(range(256)) * 10
    await write(storage, "files/u1/r", data)
    assert await read_all(storage, "files/u1/r", 5, 9) == data[5:9]
    assert await read_all(storage, "files/u1/r", 2500) == data[2500:]


async def test_nothing_is_visible_before_commit_or_after_abort(storage: BlobStorage) -> None:
    writer = await storage.writer("files/u1/aborted")
    await writer.write(os.urandom(MIN_PART + 1))
    assert await storage.size("files/u1/aborted") is None
    await writer.abort()
    await writer.abort()
    assert await storage.size("files/u1/aborted") is None


async def test_missing_blob_reads_as_key_error(storage: BlobStorage) -> None:
    with pytest.raises(KeyError):
        await read_all(storage, "files/u1/none")


async def test_delete_is_idempotent_and_prefix_delete_takes_only_that_user(storage: BlobStorage) -> None:
    for key in ("files/u2/a", "files/u2/b", "files/u3/a"):
        await write(storage, key, b"x")
    await storage.delete("files/u2/a")
    await storage.delete("files/u2/a")
    assert await storage.size("files/u2/a") is None
    assert await storage.delete_prefix("files/u2/") == 1
    assert await storage.delete_prefix("files/u2/") == 0
    assert await storage.size("files/u2/b") is None
    assert await storage.size("files/u3/a") == 1
