"""How rows of ``models`` and ``model_versions`` are read: the columns selected and the entities made of them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by

from mlp.registry.adapters.db.tables import model_aliases, model_versions, models
from mlp.registry.domain.models import Artifact, ModelRef, ModelVersion, RegisteredModel, VersionSource

LIVE_MODEL = models.c.deleted_at.is_(None)
LIVE_VERSION = model_versions.c.deleted_at.is_(None)

_alias_versions = model_aliases.join(model_versions, model_versions.c.id == model_aliases.c.version_id)
MODEL_ALIASES = (
    select(func.coalesce(func.jsonb_object_agg(model_aliases.c.alias, model_versions.c.version), text("'{}'::jsonb")))
    .select_from(_alias_versions)
    .where(model_aliases.c.model_id == models.c.id)
    .correlate(models)
    .scalar_subquery()
    .label("aliases")
)
MODEL_COLUMNS = [
    *(models.c[name] for name in ("id", "user_id", "name", "description", "task", "tags", "last_version")),
    models.c.created_at,
    models.c.updated_at,
    MODEL_ALIASES,
]

VERSION_ALIASES = (
    select(
        func.coalesce(func.array_agg(aggregate_order_by(model_aliases.c.alias, model_aliases.c.alias)), text("'{}'"))
    )
    .where(model_aliases.c.version_id == model_versions.c.id)
    .correlate(model_versions)
    .scalar_subquery()
    .label("aliases")
)
VERSION_TABLE_COLUMNS = [
    *(
        model_versions.c[name]
        for name in (
            "id",
            "model_id",
            "user_id",
            "version",
            "description",
            "artifact_uri",
            "artifact_file_id",
            "source_kind",
            "source_tune_job_id",
            "source_run_uri",
            "run_id",
            "status",
            "status_message",
            "params",
            "metrics",
            "tags",
            "created_at",
            "updated_at",
        )
    ),
]
VERSION_COLUMNS = [*VERSION_TABLE_COLUMNS, models.c.name.label("model_name"), VERSION_ALIASES]
VERSIONS_WITH_MODEL = model_versions.join(models, models.c.id == model_versions.c.model_id)


def model_ref(ref: ModelRef) -> ColumnElement[bool]:
    return models.c.id == ref if isinstance(ref, uuid.UUID) else models.c.name == ref


def to_model(row: RowMapping) -> RegisteredModel:
    return RegisteredModel(**row)


def to_version(row: Mapping[Any, Any]) -> ModelVersion:
    values: dict[str, Any] = dict(row)
    aliases = tuple(values.pop("aliases"))
    artifact = Artifact(file_id=values.pop("artifact_file_id"), uri=values.pop("artifact_uri"))
    source = VersionSource(
        kind=values.pop("source_kind"),
        tune_job_id=values.pop("source_tune_job_id"),
        run_uri=values.pop("source_run_uri"),
        run_id=values.pop("run_id"),
    )
    return ModelVersion(**values, artifact=artifact, source=source, aliases=aliases)
