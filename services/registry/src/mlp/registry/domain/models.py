"""Registered models, their versions and aliases: plain values, no framework."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

VersionStatus = Literal["pending", "ready", "failed", "archived"]
SourceKind = Literal["upload", "tune_job", "run"]
VERSION_STATUSES: tuple[VersionStatus, ...] = ("pending", "ready", "failed", "archived")

ModelRef = uuid.UUID | str
"""A model named by its id (native API) or by its name (MLflow API); both are scoped to one user."""


@dataclass(frozen=True)
class RegisteredModel:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    description: str | None
    task: str | None
    tags: dict[str, str]
    last_version: int
    created_at: datetime
    updated_at: datetime
    aliases: dict[str, int] = field(default_factory=dict)
    """alias -> version number it points to now."""


@dataclass(frozen=True)
class VersionSource:
    """Where a version came from: an upload, a fine-tuning job of this user, or a run (URI)."""

    kind: SourceKind = "upload"
    tune_job_id: uuid.UUID | None = None
    run_uri: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class Artifact:
    """Exactly one of a file of this user or a URI."""

    file_id: uuid.UUID | None = None
    uri: str | None = None


@dataclass(frozen=True)
class ModelVersion:
    id: uuid.UUID
    model_id: uuid.UUID
    user_id: uuid.UUID
    model_name: str
    version: int
    description: str | None
    artifact: Artifact
    source: VersionSource
    status: VersionStatus
    status_message: str | None
    params: dict[str, Any]
    metrics: dict[str, float]
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewVersion:
    """What a caller gives to register a version; the number is assigned by the registry."""

    artifact: Artifact
    source: VersionSource = VersionSource()
    description: str | None = None
    status: VersionStatus = "ready"
    status_message: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AliasChange:
    """One entry of an alias's history: from ``changed_at`` on it pointed to ``version`` (None: deleted)."""

    alias: str
    version: int | None
    version_id: uuid.UUID | None
    changed_at: datetime
