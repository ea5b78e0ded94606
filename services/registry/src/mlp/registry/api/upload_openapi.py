"""The OpenAPI description of ``POST /v1/files``: its body is read as a stream, so Litestar cannot
infer it from a ``data`` parameter; this operation class declares it."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from mlp.registry.domain.files import FILE_PURPOSES, MAX_FILENAME_CHARS

_FORM = Schema(
    type=OpenAPIType.OBJECT,
    required=["file", "purpose"],
    properties={
        "file": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description=f"the bytes; the filename (a plain name, up to {MAX_FILENAME_CHARS} chars) is metadata",
        ),
        "purpose": Schema(type=OpenAPIType.STRING, enum=list(FILE_PURPOSES)),
    },
)


@dataclass
class FileUploadOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = RequestBody(content={"multipart/form-data": OpenAPIMediaType(schema=_FORM)}, required=True)
