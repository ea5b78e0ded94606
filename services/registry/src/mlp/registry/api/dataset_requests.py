"""What a client sends to make a dataset or a version: the file and the CSV options, bounded."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from mlp.registry.application.csv_decoding import check_encoding
from mlp.registry.application.csv_reader import DialectHint
from mlp.registry.domain.datasets import MAX_NAME_CHARS
from mlp.registry.domain.errors import InvalidInput

OneChar = Annotated[str, msgspec.Meta(min_length=1, max_length=1, pattern=r"^[^\r\n]$")]
Encoding = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
VersionNumber = Annotated[int | None, QueryParameter(ge=1, le=1_000_000)]


class CsvOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    file_id: uuid.UUID
    delimiter: OneChar | None = None
    quotechar: OneChar | None = None
    encoding: Encoding | None = None
    """Detected when not given (a BOM, else UTF-8 if the file is valid UTF-8, else Latin-1)."""

    def hint(self) -> DialectHint:
        try:
            encoding = check_encoding(self.encoding) if self.encoding else None
        except ValueError as exc:
            raise InvalidInput("unknown-encoding", str(exc), field="encoding") from exc
        return DialectHint(self.delimiter, self.quotechar, encoding)


class CreateDataset(CsvOptions, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"^[^\x00-\x1f\x7f]+$")]
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
