"""registry's dataset rows (``mlp.common.contracts.datasets``) over HTTP."""

from __future__ import annotations

import uuid

import httpx
import msgspec

from mlp.common.contracts.datasets import DATASET_ROWS_PATH, DatasetRowsPage
from mlp.evaluation.adapters.registry.files import HttpFileRows
from mlp.evaluation.domain.errors import NotFound
from mlp.evaluation.domain.runs import DataKind


class HttpDatasetRows:
    """A dataset's rows, or (``kind="file"``) an uploaded JSONL file's lines."""

    def __init__(self, http: httpx.AsyncClient, registry_url: str) -> None:
        self._http = http
        self._base = registry_url.rstrip("/")
        self._files = HttpFileRows(http, registry_url)

    async def page(
        self,
        token: str,
        dataset_id: uuid.UUID,
        version: int | None,
        cursor: str | None,
        limit: int,
        kind: DataKind = "dataset",
    ) -> DatasetRowsPage:
        if kind == "file":
            if version not in (None, 1):
                raise NotFound("a file has one version", field="dataset_version")
            return await self._files.page(token, dataset_id, cursor, limit)
        params: dict[str, str | int] = {"limit": limit}
        if version is not None:
            params["version"] = version
        if cursor is not None:
            params["cursor"] = cursor
        response = await self._http.get(
            self._base + DATASET_ROWS_PATH.format(dataset_id=dataset_id),
            params=params,
            headers={"authorization": f"Bearer {token}"},
        )
        if response.status_code in (403, 404):
            # 403: the token lacks datasets:read; either way the user cannot see this dataset
            raise NotFound("no such dataset (or version)", field="dataset_id")
        response.raise_for_status()
        return msgspec.json.decode(response.content, type=DatasetRowsPage)
