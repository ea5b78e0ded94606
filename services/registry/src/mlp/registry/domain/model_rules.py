"""Validation rules of the model registry: names, tags, aliases, versions' artifacts and sources.

Bounds follow MLflow's where it has them (tag keys 250 characters, values 5000) so a client that
works against MLflow works here.
"""

from __future__ import annotations

import re
from typing import Any

from mlp.registry.domain.models import Artifact, NewVersion, VersionSource
from mlp.registry.domain.models_errors import InvalidModelInput

MAX_NAME = 256
MAX_DESCRIPTION = 5000
MAX_TASK = 64
MAX_TAGS = 100
MAX_TAG_KEY = 250
MAX_TAG_VALUE = 5000
MAX_URI = 2048
MAX_ENTRIES = 200
"""params and metrics of one version."""
MAX_ALIAS = 64

_NAME = re.compile(r"^[^/\x00-\x1f\x7f]+$")
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED_ALIAS = re.compile(r"^(latest|[vV]\d+)$")
"""MLflow resolves ``models:/name@latest`` and ``@v3`` itself: such aliases would never be reached."""


def model_name(name: str, field: str = "name") -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME or not _NAME.match(name):
        raise InvalidModelInput(
            f"a model name has 1 to {MAX_NAME} characters, no '/' or control characters", field=field
        )
    return name


def text(value: str | None, field: str, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise InvalidModelInput(f"{field} has at most {limit} characters", field=field)
    return value


def tag_key(key: str, field: str = "key") -> str:
    if not 1 <= len(key) <= MAX_TAG_KEY or "\x00" in key:
        raise InvalidModelInput(f"a tag key has 1 to {MAX_TAG_KEY} characters", field=field)
    return key


def tag_value(value: str, field: str = "value") -> str:
    if len(value) > MAX_TAG_VALUE or "\x00" in value:
        raise InvalidModelInput(f"a tag value has at most {MAX_TAG_VALUE} characters", field=field)
    return value


def tags(values: dict[str, str], field: str = "tags") -> dict[str, str]:
    if len(values) > MAX_TAGS:
        raise InvalidModelInput(f"at most {MAX_TAGS} tags", field=field)
    return {tag_key(k, field): tag_value(v, field) for k, v in values.items()}


def alias(name: str, field: str = "alias") -> str:
    if not 1 <= len(name) <= MAX_ALIAS or not _ALIAS.match(name):
        raise InvalidModelInput(
            f"an alias has 1 to {MAX_ALIAS} letters, digits, '_' or '-', and starts with a letter or '_'", field=field
        )
    if _RESERVED_ALIAS.match(name):
        raise InvalidModelInput(f"'{name}' is reserved ('latest' and 'v<number>' name versions)", field=field)
    return name


def artifact(value: Artifact) -> Artifact:
    if (value.file_id is None) == (value.uri is None):
        raise InvalidModelInput("give exactly one of artifact_file_id and artifact_uri", field="artifact_uri")
    if value.uri is not None and not 1 <= len(value.uri) <= MAX_URI:
        raise InvalidModelInput(f"artifact_uri has 1 to {MAX_URI} characters", field="artifact_uri")
    return value


def source(value: VersionSource) -> VersionSource:
    if value.kind == "tune_job" and value.tune_job_id is None:
        raise InvalidModelInput("a tune_job source names its tune_job_id", field="source.tune_job_id")
    if value.kind == "run" and not value.run_uri:
        raise InvalidModelInput("a run source names its run_uri", field="source.run_uri")
    if value.kind != "tune_job" and value.tune_job_id is not None:
        raise InvalidModelInput("tune_job_id belongs to a tune_job source", field="source.tune_job_id")
    text(value.run_uri, "source.run_uri", MAX_URI)
    text(value.run_id, "run_id", MAX_TAG_KEY)
    return value


def entries(values: dict[str, Any], field: str) -> dict[str, Any]:
    if len(values) > MAX_ENTRIES:
        raise InvalidModelInput(f"at most {MAX_ENTRIES} {field}", field=field)
    for key in values:
        tag_key(key, field)
    return values


def new_version(request: NewVersion) -> NewVersion:
    artifact(request.artifact)
    source(request.source)
    text(request.description, "description", MAX_DESCRIPTION)
    text(request.status_message, "status_message", MAX_DESCRIPTION)
    tags(request.tags)
    entries(request.params, "params")
    entries(request.metrics, "metrics")
    return request


def page_size(limit: int, maximum: int, field: str = "limit") -> int:
    if not 1 <= limit <= maximum:
        raise InvalidModelInput(f"{field} is between 1 and {maximum}", field=field)
    return limit
