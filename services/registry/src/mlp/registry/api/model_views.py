"""How the native API shows registered models, versions and alias history (never domain entities)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from mlp.registry.domain.models import AliasChange, ModelVersion, RegisteredModel


class ModelView(msgspec.Struct):
    id: uuid.UUID
    name: str
    description: str | None
    task: str | None
    tags: dict[str, str]
    aliases: dict[str, int]
    """alias -> version number"""
    last_version: int | None
    """The highest version number given out so far (that version may since have been deleted)."""
    created_at: datetime
    updated_at: datetime


class ModelPage(msgspec.Struct):
    data: list[ModelView]
    next_cursor: str | None


class SourceView(msgspec.Struct):
    kind: str
    tune_job_id: uuid.UUID | None
    run_uri: str | None
    run_id: str | None


class VersionView(msgspec.Struct):
    id: uuid.UUID
    model_id: uuid.UUID
    model_name: str
    version: int
    description: str | None
    artifact_file_id: uuid.UUID | None
    artifact_uri: str | None
    source: SourceView
    status: str
    status_message: str | None
    params: dict[str, Any]
    metrics: dict[str, float]
    tags: dict[str, str]
    aliases: list[str]
    created_at: datetime
    updated_at: datetime


class VersionPage(msgspec.Struct):
    data: list[VersionView]
    next_cursor: str | None


class AliasChangeView(msgspec.Struct):
    alias: str
    version: int | None
    """None: the alias was deleted at ``changed_at``."""
    version_id: uuid.UUID | None
    changed_at: datetime


def model_view(model: RegisteredModel) -> ModelView:
    return ModelView(
        id=model.id,
        name=model.name,
        description=model.description,
        task=model.task,
        tags=model.tags,
        aliases=model.aliases,
        last_version=model.last_version or None,
        created_at=model.created_at,
        updated_at=model.updated_at,
    )


def version_view(version: ModelVersion) -> VersionView:
    source = version.source
    return VersionView(
        id=version.id,
        model_id=version.model_id,
        model_name=version.model_name,
        version=version.version,
        description=version.description,
        artifact_file_id=version.artifact.file_id,
        artifact_uri=version.artifact.uri,
        source=SourceView(source.kind, source.tune_job_id, source.run_uri, source.run_id),
        status=version.status,
        status_message=version.status_message,
        params=version.params,
        metrics=version.metrics,
        tags=version.tags,
        aliases=list(version.aliases),
        created_at=version.created_at,
        updated_at=version.updated_at,
    )


def alias_change_view(change: AliasChange) -> AliasChangeView:
    return AliasChangeView(change.alias, change.version, change.version_id, change.changed_at)
