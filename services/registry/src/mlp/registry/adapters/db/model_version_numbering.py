"""A new version in one round trip: the model's counter bumped (a CTE) and the version inserted.

The UPDATE locks the model's row until commit: concurrent creates queue there and each gets the
next number; a rolled-back create leaves a gap, never a duplicate. No live model of the caller's
by that ref: nothing is inserted and no row comes back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, bindparam, insert, select, update

from mlp.registry.adapters.db.model_statements import CALLER, PerRef
from mlp.registry.adapters.db.models_rows import LIVE_MODEL, VERSION_TABLE_COLUMNS
from mlp.registry.adapters.db.tables import model_versions, models
from mlp.registry.domain.models import ModelRef, NewVersion

_GIVEN = tuple(
    column.name
    for column in VERSION_TABLE_COLUMNS
    if column.name not in {"id", "model_id", "user_id", "version", "created_at", "updated_at"}
)
"""Columns whose values the request gives (parameters ``v_<column>``)."""


def _numbered_insert(model: ColumnElement[bool]) -> Insert:
    bumped = (
        update(models)
        .where(model, models.c.user_id == CALLER, LIVE_MODEL)
        .values(last_version=models.c.last_version + 1, updated_at=bindparam("now"))
        .returning(models.c.id, models.c.name, models.c.last_version)
        .cte("bumped")
    )
    now = bindparam("now", type_=models.c.updated_at.type)
    given = [bindparam(f"v_{name}", type_=model_versions.c[name].type) for name in _GIVEN]
    row = select(bumped.c.id, bindparam("caller", type_=models.c.user_id.type), bumped.c.last_version, *given, now, now)
    columns = ["model_id", "user_id", "version", *_GIVEN, "created_at", "updated_at"]
    model_name = select(bumped.c.name).scalar_subquery().label("model_name")
    return insert(model_versions).from_select(columns, row).returning(*VERSION_TABLE_COLUMNS, model_name)


NUMBERED_INSERT = PerRef.build(_numbered_insert)


def numbered_insert_params(user_id: uuid.UUID, ref: ModelRef, request: NewVersion, now: datetime) -> dict[str, Any]:
    given = {
        "description": request.description,
        "artifact_uri": request.artifact.uri,
        "artifact_file_id": request.artifact.file_id,
        "source_kind": request.source.kind,
        "source_tune_job_id": request.source.tune_job_id,
        "source_run_uri": request.source.run_uri,
        "run_id": request.source.run_id,
        "status": request.status,
        "status_message": request.status_message,
        "params": request.params,
        "metrics": request.metrics,
        "tags": request.tags,
    }
    return {"model": ref, "caller": user_id, "now": now, **{f"v_{k}": v for k, v in given.items()}}
