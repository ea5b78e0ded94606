"""MLflow's request messages, read leniently as MLflow's server reads them (unknown fields are ignored);
a missing required field is MLflow's ``INVALID_PARAMETER_VALUE``."""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec

from mlp.registry.api.mlflow.views import Tag
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.models_errors import InvalidModelInput

T = TypeVar("T")
Text = Annotated[str, msgspec.Meta(max_length=rules.MAX_DESCRIPTION)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=rules.MAX_TAGS)]


class ModelName(msgspec.Struct):
    name: Text | None = None


class CreateRegisteredModel(ModelName):
    tags: Tags = []
    description: Text | None = None


class UpdateRegisteredModel(ModelName):
    description: Text | None = None


class RenameRegisteredModel(ModelName):
    new_name: Text | None = None


class ModelTag(ModelName):
    key: Text | None = None
    value: Text | None = None


class ModelAlias(ModelName):
    alias: Text | None = None
    version: Text | None = None


class LatestVersions(ModelName):
    stages: list[Text] = []


class VersionRef(ModelName):
    version: Text | None = None


class CreateModelVersion(ModelName):
    source: Annotated[str, msgspec.Meta(max_length=rules.MAX_URI)] | None = None
    run_id: Text | None = None
    tags: Tags = []
    run_link: Text | None = None
    description: Text | None = None


class UpdateModelVersion(VersionRef):
    description: Text | None = None


class VersionTag(VersionRef):
    key: Text | None = None
    value: Text | None = None


def required(value: T | None, name: str) -> T:
    if value is None or value == "":
        raise InvalidModelInput(f"Missing value for required parameter '{name}'.", field=name)
    return value


def version_number(value: str | None) -> int:
    text = required(value, "version")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        raise InvalidModelInput(f"Model version must be a positive integer, got '{text}'.", field="version")
    return int(text)


def tag_dict(tags: list[Tag]) -> dict[str, str]:
    return {tag.key: tag.value for tag in tags}


def decode_body(body: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(body or b"{}", type=kind)
    except msgspec.DecodeError as exc:
        raise InvalidModelInput(f"invalid request body: {exc}", field="body") from None
