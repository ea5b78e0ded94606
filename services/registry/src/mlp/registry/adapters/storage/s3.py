"""Blobs in an S3-compatible bucket (AWS S3, MinIO, R2, ...) through aiobotocore.

A blob smaller than one part is a single PUT on commit; a larger one is a multipart upload whose
parts go out as the bytes arrive (``part_size`` each, at least S3's 5 MiB), so memory holds at
most one part. ``abort`` aborts the multipart upload; a crashed process leaves an incomplete
upload, which the bucket's lifecycle rule (AbortIncompleteMultipartUpload) removes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import ClientError

from mlp.registry.settings import RegistrySettings

MIN_PART = 5 * 1024 * 1024
READ_CHUNK = 1024 * 1024


class S3BlobWriter:
    def __init__(self, client: Any, bucket: str, key: str, part_size: int) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    async def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        while len(self._buffer) >= self._part_size:
            part, self._buffer = bytes(self._buffer[: self._part_size]), self._buffer[self._part_size :]
            await self._upload_part(part)

    async def _upload_part(self, data: bytes) -> None:
        if self._upload_id is None:
            created = await self._client.create_multipart_upload(Bucket=self._bucket, Key=self._key)
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        answer = await self._client.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    async def commit(self) -> None:
        if self._upload_id is None:
            await self._client.put_object(Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer))
            return
        if self._buffer:
            await self._upload_part(bytes(self._buffer))
        await self._client.complete_multipart_upload(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )

    async def abort(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            await self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)


class S3BlobStorage:
    def __init__(self, client: Any, bucket: str, part_size: int = 16 * 1024 * 1024) -> None:
        self._client = client
        self._bucket = bucket
        self._part_size = max(part_size, MIN_PART)

    async def writer(self, key: str) -> S3BlobWriter:
        return S3BlobWriter(self._client, self._bucket, key, self._part_size)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        extra = {}
        if start or end is not None:
            if end is not None and end <= start:
                return
            extra["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            answer = await self._client.get_object(Bucket=self._bucket, Key=key, **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise KeyError(key) from exc
            raise
        async with answer["Body"] as body:
            while chunk := await body.read(READ_CHUNK):
                yield chunk

    async def size(self, key: str) -> int | None:
        try:
            answer = await self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return int(answer["ContentLength"])

    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self._bucket, Key=key)

    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                await self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": keys, "Quiet": True})
                deleted += len(keys)
        return deleted


@asynccontextmanager
async def s3_blob_storage(settings: RegistrySettings) -> AsyncIterator[S3BlobStorage]:
    session = get_session()
    async with session.create_client(
        "s3",
        region_name=settings.s3_region,
        endpoint_url=settings.s3_endpoint_url or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, s3={"addressing_style": "path"}),
    ) as client:
        yield S3BlobStorage(client, settings.s3_bucket, settings.s3_part_size_bytes)
