"""An upload in progress: bytes streamed to storage with their SHA-256, size and head counted on the way."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from mlp.registry.application.ports import BlobWriter
from mlp.registry.domain.content_types import SNIFF_BYTES
from mlp.registry.domain.errors import TooLarge


@dataclass
class PendingUpload:
    id: uuid.UUID
    user_id: uuid.UUID
    key: str
    writer: BlobWriter
    max_bytes: int
    """The smaller of the size cap and what is left of the user's quota."""
    quota_left: int
    size: int = 0
    head: bytes = b""
    _sha256: Any = field(default_factory=hashlib.sha256)

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes, self.quota_left)
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self._sha256.update(chunk)
        await self.writer.write(chunk)

    @property
    def sha256(self) -> str:
        return str(self._sha256.hexdigest())


def too_large(max_bytes: int, quota_left: int) -> TooLarge:
    if quota_left <= max_bytes:
        return TooLarge(
            "storage-quota-exceeded",
            f"the upload does not fit in your storage quota: {quota_left} bytes left",
            field="file",
            remaining_bytes=quota_left,
        )
    return TooLarge("file-too-large", f"files are limited to {max_bytes} bytes", field="file", limit_bytes=max_bytes)
