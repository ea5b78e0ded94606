"""``multipart/form-data`` (fields ``file`` and ``purpose``) parsed as the body arrives.

Litestar's form parsing would buffer the whole body; here ``request.stream()`` feeds the
``multipart`` package's push parser and the file part's bytes go straight to storage. The
size cap and quota are checked against ``Content-Length`` before anything is read, and
against the bytes actually received as they come.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from mlp.common.runtime.problems import Problem
from mlp.registry.application.files import Files
from mlp.registry.application.uploads import PendingUpload
from mlp.registry.domain.files import StoredFile, clean_filename

MULTIPART_SLACK = 64 * 1024
"""Bytes of a multipart body that are not the file (boundaries, part headers, the purpose field)."""
MAX_FIELD_BYTES = 1024


def _boundary(request: Request[Any, Any, Any]) -> str:
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    if media_type != "multipart/form-data" or not options.get("boundary"):
        raise Problem(415, "unsupported-media-type", "send multipart/form-data with fields file and purpose")
    return str(options["boundary"])


class _Form:
    def __init__(self, files: Files, user_id: uuid.UUID, declared: int | None) -> None:
        self.files = files
        self.user_id = user_id
        self.declared = declared
        self.upload: PendingUpload | None = None
        self.filename: str | None = None
        self.fields: dict[str, bytes] = {}
        self.part: str | None = None

    async def on_event(self, event: MultipartSegment | bytes | None) -> None:
        if isinstance(event, MultipartSegment):
            self.part = event.name
            if event.name == "file":
                if self.upload is not None:
                    raise Problem(400, "bad-request", "send one file per upload", field="file")
                self.filename = clean_filename(event.filename or "")
                self.upload = await self.files.start_upload(self.user_id, self.declared)
        elif event is None:
            self.part = None
        elif self.part == "file" and self.upload is not None:
            await self.upload.write(event)
        elif self.part is not None:
            value = self.fields.get(self.part, b"") + event
            if len(value) > MAX_FIELD_BYTES:
                raise Problem(400, "bad-request", f"field {self.part} is too long", field=self.part)
            self.fields[self.part] = value


async def receive_upload(request: Request[Any, Any, Any], files: Files) -> StoredFile:
    boundary = _boundary(request)
    length = request.content_length
    form = _Form(files, request.user.user_id, None if length is None else max(length - MULTIPART_SLACK, 0))
    if length is not None:  # refuse an announced oversize body before reading a byte
        await files.check_room(request.user.user_id, form.declared)
    try:
        with PushMultipartParser(boundary, length or -1, max_segment_count=16) as parser:
            async for chunk in request.stream():
                for event in parser.parse(chunk):
                    await form.on_event(event)
        if form.upload is None or form.filename is None:
            raise Problem(400, "validation-error", "the form has no file part", field="file")
        purpose = form.fields.get("purpose", b"").decode("utf-8", errors="replace")
        upload, form.upload = form.upload, None
        return await files.complete(upload, form.filename, purpose)
    except MultipartError as exc:
        raise Problem(400, "bad-request", f"malformed multipart body: {exc}", field="file") from exc
    finally:
        if form.upload is not None:
            await form.upload.writer.abort()
