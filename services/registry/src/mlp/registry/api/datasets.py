"""``/v1/datasets``: CSV files become datasets with immutable versions; rows paged for workers; exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.contracts.datasets import DATASET_PATH, DATASET_ROWS_PATH, MAX_ROWS_PAGE, DatasetRowsPage
from mlp.registry.api.dataset_export import csv_export, jsonl_export
from mlp.registry.api.dataset_views import (
    DatasetPage,
    DatasetView,
    VersionView,
    dataset_view,
    decode_cursor,
    rows_page,
    version_view,
)
from mlp.registry.application.csv_decoding import check_encoding
from mlp.registry.application.csv_reader import DialectHint
from mlp.registry.application.dataset_reads import DatasetReads
from mlp.registry.application.datasets import Datasets
from mlp.registry.domain.datasets import MAX_NAME_CHARS
from mlp.registry.domain.errors import InvalidInput

Caller = Request[Principal, Any, Any]
READ = requires_scopes("datasets:read")
WRITE = requires_scopes("datasets:write")
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


def _accepted(status: str) -> int:
    return 201 if status != "processing" else 202


@post("/v1/datasets", tags=["datasets"], opt=WRITE, summary="A dataset from an uploaded CSV file")
async def create_dataset(
    request: Caller, data: JSONBody[CreateDataset], datasets: NamedDependency[Datasets]
) -> Response[DatasetView]:
    """201 when ingested in the request (small files), 202 while the worker ingests a large one."""
    dataset, version = await datasets.create(
        request.user.user_id, data.name, data.description, data.file_id, data.hint()
    )
    return Response(dataset_view(dataset, [version]), status_code=_accepted(version.status))


@post("/v1/datasets/{dataset_id:uuid}/versions", tags=["datasets"], opt=WRITE, summary="A new version from a file")
async def create_version(
    request: Caller, dataset_id: FromPath[uuid.UUID], data: JSONBody[CsvOptions], datasets: NamedDependency[Datasets]
) -> Response[VersionView]:
    version = await datasets.add_version(request.user.user_id, dataset_id, data.file_id, data.hint())
    return Response(version_view(version), status_code=_accepted(version.status))


@get("/v1/datasets", tags=["datasets"], opt=READ)
async def list_datasets(
    request: Caller,
    dataset_reads: NamedDependency[DatasetReads],
    cursor: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> DatasetPage:
    page, more = await dataset_reads.list_page(request.user.user_id, cursor, limit)
    return DatasetPage(
        data=[dataset_view(d) for d in page], has_more=more, next_cursor=str(page[-1].id) if more else None
    )


@get(DATASET_PATH.replace("{dataset_id}", "{dataset_id:uuid}"), tags=["datasets"], opt=READ)
async def get_dataset(
    request: Caller, dataset_id: FromPath[uuid.UUID], dataset_reads: NamedDependency[DatasetReads]
) -> DatasetView:
    dataset, versions = await dataset_reads.get(request.user.user_id, dataset_id)
    return dataset_view(dataset, versions)


@get("/v1/datasets/{dataset_id:uuid}/versions/{number:int}", tags=["datasets"], opt=READ, summary="Status, progress")
async def get_version(
    request: Caller,
    dataset_id: FromPath[uuid.UUID],
    number: Annotated[int, QueryParameter(ge=1, le=1_000_000)],
    dataset_reads: NamedDependency[DatasetReads],
) -> VersionView:
    return version_view(await dataset_reads.version(request.user.user_id, dataset_id, number))


@get(DATASET_ROWS_PATH.replace("{dataset_id}", "{dataset_id:uuid}"), tags=["datasets"], opt=READ)
async def dataset_rows(
    request: Caller,
    dataset_id: FromPath[uuid.UUID],
    dataset_reads: NamedDependency[DatasetReads],
    version: VersionNumber = None,
    cursor: FromQuery[str | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_ROWS_PAGE)] = 100,
) -> DatasetRowsPage:
    """Rows in file order from a cursor; ``version`` defaults to the latest ready one."""
    found = await dataset_reads.ready_version(request.user.user_id, dataset_id, version)
    rows, more = await dataset_reads.rows(found, decode_cursor(cursor), limit)
    return rows_page(found, rows, more)


@get("/v1/datasets/{dataset_id:uuid}/preview", tags=["datasets"], opt=READ, summary="The first rows")
async def dataset_preview(
    request: Caller,
    dataset_id: FromPath[uuid.UUID],
    dataset_reads: NamedDependency[DatasetReads],
    version: VersionNumber = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> DatasetRowsPage:
    found = await dataset_reads.ready_version(request.user.user_id, dataset_id, version)
    rows, more = await dataset_reads.rows(found, 0, limit)
    return rows_page(found, rows, more)


@get("/v1/datasets/{dataset_id:uuid}/export", tags=["datasets"], opt=READ, summary="Download as CSV or JSONL")
async def export_dataset(
    request: Caller,
    dataset_id: FromPath[uuid.UUID],
    dataset_reads: NamedDependency[DatasetReads],
    version: VersionNumber = None,
    format: FromQuery[Literal["csv", "jsonl"]] = "csv",
) -> Stream:
    found = await dataset_reads.ready_version(request.user.user_id, dataset_id, version)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/jsonl"
    body = csv_export(dataset_reads, found) if format == "csv" else jsonl_export(dataset_reads, found)
    filename = f"dataset-{dataset_id}-v{found.version}.{format}"
    return Stream(body, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})


@delete("/v1/datasets/{dataset_id:uuid}", tags=["datasets"], opt=WRITE)
async def delete_dataset(
    request: Caller, dataset_id: FromPath[uuid.UUID], dataset_reads: NamedDependency[DatasetReads]
) -> None:
    await dataset_reads.delete(request.user.user_id, dataset_id)


DATASET_ROUTES = [
    create_dataset,
    create_version,
    list_datasets,
    get_dataset,
    get_version,
    dataset_rows,
    dataset_preview,
    export_dataset,
    delete_dataset,
]
