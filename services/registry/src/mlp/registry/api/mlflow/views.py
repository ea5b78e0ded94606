"""MLflow's JSON shapes (model_registry.proto as protobuf JSON): timestamps in ms, versions as strings,
tags as ``[{key, value}]``; empty fields are left out as MLflow leaves them out."""

from __future__ import annotations

from datetime import datetime

import msgspec

from mlp.registry.domain.models import ModelVersion, RegisteredModel

STATUSES = {"pending": "PENDING_REGISTRATION", "ready": "READY", "failed": "FAILED_REGISTRATION", "archived": "READY"}
FILE_SCHEME = "files:/"
"""``source`` of a version whose artifact is one of the user's uploaded files: ``files:/<file id>``."""


class Tag(msgspec.Struct):
    key: str
    value: str


class Alias(msgspec.Struct):
    alias: str
    version: str


class MlflowModelVersion(msgspec.Struct, omit_defaults=True):
    name: str
    version: str
    creation_timestamp: int
    last_updated_timestamp: int
    current_stage: str
    status: str
    source: str = ""
    description: str | None = None
    run_id: str | None = None
    status_message: str | None = None
    tags: list[Tag] = []
    aliases: list[str] = []


class MlflowRegisteredModel(msgspec.Struct, omit_defaults=True):
    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    latest_versions: list[MlflowModelVersion] = []
    tags: list[Tag] = []
    aliases: list[Alias] = []


def millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def tags_of(tags: dict[str, str]) -> list[Tag]:
    return [Tag(k, v) for k, v in sorted(tags.items())]


def source_of(version: ModelVersion) -> str:
    if version.artifact.file_id is not None:
        return f"{FILE_SCHEME}{version.artifact.file_id}"
    return version.artifact.uri or ""


def stage_of(version: ModelVersion) -> str:
    return "Archived" if version.status == "archived" else "None"


def mlflow_version(version: ModelVersion) -> MlflowModelVersion:
    return MlflowModelVersion(
        name=version.model_name,
        version=str(version.version),
        creation_timestamp=millis(version.created_at),
        last_updated_timestamp=millis(version.updated_at),
        current_stage=stage_of(version),
        status=STATUSES[version.status],
        source=source_of(version),
        description=version.description,
        run_id=version.source.run_id,
        status_message=version.status_message,
        tags=tags_of(version.tags),
        aliases=list(version.aliases),
    )


def mlflow_model(model: RegisteredModel, latest: list[ModelVersion] | None = None) -> MlflowRegisteredModel:
    return MlflowRegisteredModel(
        name=model.name,
        creation_timestamp=millis(model.created_at),
        last_updated_timestamp=millis(model.updated_at),
        description=model.description,
        latest_versions=[mlflow_version(v) for v in latest or []],
        tags=tags_of(model.tags),
        aliases=[Alias(a, str(v)) for a, v in sorted(model.aliases.items())],
    )
