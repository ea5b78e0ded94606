"""``/v1/files``: OpenAI's Files API (upload, list, retrieve, content, delete) over registry's storage."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.registry.api.byte_ranges import requested_range
from mlp.registry.api.file_views import FileDeleted, FileList, FileObject, file_list, file_object
from mlp.registry.api.multipart_upload import receive_upload
from mlp.registry.application.files import Files

Caller = Request[Principal, Any, Any]
READ = requires_scopes("datasets:read")
WRITE = requires_scopes("datasets:write")


@post(
    "/v1/files",
    tags=["files"],
    opt=WRITE,
    status_code=200,
    request_max_body_size=None,
    summary="Upload a file (multipart: file, purpose); streamed to storage",
)
async def upload_file(request: Caller, files: NamedDependency[Files]) -> FileObject:
    return file_object(await receive_upload(request, files))


@get("/v1/files", tags=["files"], opt=READ, summary="My files, newest first (cursor: after)")
async def list_files(
    request: Caller,
    files: NamedDependency[Files],
    purpose: FromQuery[str | None] = None,
    after: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=10000)] = 100,
    order: FromQuery[Literal["asc", "desc"]] = "desc",
) -> FileList:
    page, more = await files.list_page(request.user.user_id, purpose, after, min(limit, 1000), order == "desc")
    return file_list(page, more)


@get("/v1/files/{file_id:uuid}", tags=["files"], opt=READ)
async def get_file(request: Caller, file_id: FromPath[uuid.UUID], files: NamedDependency[Files]) -> FileObject:
    return file_object(await files.get(request.user.user_id, file_id))


@get("/v1/files/{file_id:uuid}/content", tags=["files"], opt=READ, summary="The bytes (Range requests work)")
async def file_content(request: Caller, file_id: FromPath[uuid.UUID], files: NamedDependency[Files]) -> Stream:
    stored = await files.get(request.user.user_id, file_id)
    digest = base64.b64encode(bytes.fromhex(stored.sha256)).decode()
    headers = {
        "accept-ranges": "bytes",
        "etag": f'"{stored.sha256}"',
        "repr-digest": f"sha-256=:{digest}:",
        "x-checksum-sha256": stored.sha256,
        "content-disposition": f"attachment; filename*=UTF-8''{quote(stored.filename)}",
    }
    byte_range = requested_range(request.headers.get("range"), stored.size_bytes)
    if byte_range is None:
        headers["content-length"] = str(stored.size_bytes)
        return Stream(files.content(stored), media_type=stored.content_type, headers=headers)
    start, end = byte_range
    headers.update(
        {"content-length": str(end - start), "content-range": f"bytes {start}-{end - 1}/{stored.size_bytes}"}
    )
    return Stream(files.content(stored, start, end), status_code=206, media_type=stored.content_type, headers=headers)


@delete("/v1/files/{file_id:uuid}", tags=["files"], opt=WRITE, status_code=200)
async def delete_file(request: Caller, file_id: FromPath[uuid.UUID], files: NamedDependency[Files]) -> FileDeleted:
    stored = await files.delete(request.user.user_id, file_id)
    return FileDeleted(id=str(stored.id))


FILE_ROUTES = [upload_file, list_files, get_file, file_content, delete_file]
