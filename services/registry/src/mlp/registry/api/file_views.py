"""Files as OpenAI's Files API shows them (``object: "file"``), plus our checksum and content type."""

from __future__ import annotations

from typing import Literal

import msgspec

from mlp.registry.domain.files import StoredFile


class FileObject(msgspec.Struct, kw_only=True):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    """Unix seconds, as OpenAI answers."""
    filename: str
    purpose: str
    status: Literal["processed"] = "processed"
    status_details: None = None
    expires_at: None = None
    content_type: str
    sha256: str


class FileList(msgspec.Struct, kw_only=True):
    object: Literal["list"] = "list"
    data: list[FileObject]
    first_id: str | None
    last_id: str | None
    has_more: bool


class FileDeleted(msgspec.Struct, kw_only=True):
    id: str
    object: Literal["file"] = "file"
    deleted: bool = True


def file_object(stored: StoredFile) -> FileObject:
    return FileObject(
        id=str(stored.id),
        bytes=stored.size_bytes,
        created_at=int(stored.created_at.timestamp()),
        filename=stored.filename,
        purpose=stored.purpose,
        content_type=stored.content_type,
        sha256=stored.sha256,
    )


def file_list(page: list[StoredFile], has_more: bool) -> FileList:
    return FileList(
        data=[file_object(f) for f in page],
        first_id=str(page[0].id) if page else None,
        last_id=str(page[-1].id) if page else None,
        has_more=has_more,
    )
