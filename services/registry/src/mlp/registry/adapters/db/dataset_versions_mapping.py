"""``dataset_versions`` rows to domain versions and back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from mlp.registry.domain.datasets import Column, DatasetVersion, Dialect, Problem


def to_version(row: Any) -> DatasetVersion:
    return DatasetVersion(
        id=row.id,
        dataset_id=row.dataset_id,
        user_id=row.user_id,
        version=row.version,
        source_file_id=row.source_file_id,
        status=row.status,
        row_count=row.row_count,
        columns=tuple(Column(c["name"], c["type"]) for c in row.columns),
        dialect=Dialect(**row.dialect),
        created_at=row.created_at,
        finished_at=row.finished_at,
        error=row.error,
        problems=tuple(Problem(**p) for p in row.problems),
    )


def version_values(v: DatasetVersion) -> dict[str, Any]:
    return {
        "status": v.status,
        "row_count": v.row_count,
        "columns": [{"name": c.name, "type": c.type} for c in v.columns],
        "dialect": {"delimiter": v.dialect.delimiter, "quotechar": v.dialect.quotechar, "encoding": v.dialect.encoding},
        "problems": [{"line": p.line, "message": p.message, "column": p.column} for p in v.problems],
        "error": v.error,
        "finished_at": v.finished_at,
        "updated_at": func.now(),
    }
