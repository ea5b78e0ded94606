"""Deployments: a model version served under a name, behind an upstream model server.

The name is unique per user and is what OpenAI clients pass as ``model``; the upstream is asked for
the served model id (the version's, or an override). Pointing a deployment at another version of the
same model is a rollout; a canary lets a second version answer a share of the calls. Each change of
what answers opens a new revision, so the history answers which versions served at any moment.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from mlp.registry.domain.deployment_errors import InvalidDeployment, InvalidTransition, NotServing

DeploymentKind = Literal["openai-chat", "openai-completions", "openai-embeddings", "http-json"]
DEPLOYMENT_KINDS: tuple[DeploymentKind, ...] = ("openai-chat", "openai-completions", "openai-embeddings", "http-json")

DeploymentStatus = Literal["pending", "ready", "degraded", "failed", "stopped"]
DEPLOYMENT_STATUSES: tuple[DeploymentStatus, ...] = ("pending", "ready", "degraded", "failed", "stopped")
SERVING_STATUSES = frozenset({"ready", "degraded"})

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
_SERVED_MODEL = re.compile(r"^[^\s\x00-\x1f\x7f]{1,256}$")
_LOCATION = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


def check_name(name: str) -> str:
    """Names travel as OpenAI's ``model`` field: letters, digits and ``._:/-``, at most 128 characters."""
    if not _NAME.match(name):
        raise InvalidDeployment("name", "name must be 1-128 characters of letters, digits and . _ : / -")
    return name


@dataclass(frozen=True)
class Timeouts:
    connect_seconds: float
    read_seconds: float

    def check(self, max_seconds: float) -> Timeouts:
        for field, value in (("connect_timeout_seconds", self.connect_seconds), ("timeout_seconds", self.read_seconds)):
            if not 0 < value <= max_seconds:
                raise InvalidDeployment(field, f"{field} must be above 0 and at most {max_seconds:g}")
        return self


def served_model_of(artifact_uri: str | None) -> str | None:
    """The model id an upstream serves a version under: its artifact URI when that names a model (a
    provider id like ``gpt-4o-mini-2024-07-18``, a Hugging Face id, an ``ft:`` id), None when it is a
    location (``s3://``, ``runs:/``, ``models:/``...) or the version is an uploaded file."""
    if artifact_uri is None or _LOCATION.match(artifact_uri) or not _SERVED_MODEL.match(artifact_uri):
        return None
    return artifact_uri


def check_served_model(served_model: str) -> str:
    if not _SERVED_MODEL.match(served_model):
        raise InvalidDeployment("served_model", "served_model must be 1-256 characters without spaces")
    return served_model


@dataclass(frozen=True)
class ModelVersionRef:
    """The model version a deployment serves, as the model registry knows it."""

    model_id: uuid.UUID
    version_id: uuid.UUID
    version: int
    served_model: str | None = dataclasses.field(default=None, compare=False)
    """The id an upstream serves this version under, when its artifact names one (see served_model_of);
    what a deployment asks for is its own ``served_model`` (this or an override), so refs compare without it."""


def served_model_for(kind: DeploymentKind, version: ModelVersionRef, override: str | None) -> str | None:
    """What the upstream is asked for: the override, else the version's own id; http-json bodies pass as sent."""
    if kind == "http-json":
        return None
    if override is not None:
        return check_served_model(override)
    if version.served_model is None:
        raise InvalidDeployment(
            "served_model",
            f"version {version.version}'s artifact is not a model id an upstream serves: give served_model",
        )
    return version.served_model


@dataclass(frozen=True)
class Canary:
    """A second version of the same model answering ``weight`` percent of the calls."""

    serves: ModelVersionRef
    served_model: str | None
    weight: int


@dataclass(frozen=True)
class Deployment:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    kind: DeploymentKind
    serves: ModelVersionRef
    upstream_url: str
    has_credential: bool
    timeouts: Timeouts
    status: DeploymentStatus
    status_detail: str | None
    created_at: datetime
    updated_at: datetime
    last_probed_at: datetime | None = None
    served_model: str | None = None
    """The model id the upstream is asked for; None forwards the request's ``model`` as sent."""
    fallbacks: tuple[uuid.UUID, ...] = ()
    """Deployments tried in order when this one fails before answering (see application.inference_attempts)."""
    canary: Canary | None = None

    def pick(self, draw: float) -> tuple[ModelVersionRef, str | None]:
        """The version answering a call and its served model; ``draw`` is uniform in [0, 1)."""
        if self.canary is not None and draw * 100 < self.canary.weight:
            return self.canary.serves, self.canary.served_model
        return self.serves, self.served_model

    def with_canary(self, canary: Canary | None) -> Deployment:
        if canary is not None:
            if canary.serves.model_id != self.serves.model_id:
                raise InvalidDeployment("canary.model_version_id", "a canary must be a version of the same model")
            if canary.serves.version_id == self.serves.version_id:
                raise InvalidDeployment("canary.model_version_id", "the canary must be another version")
            if not 1 <= canary.weight <= 99:
                raise InvalidDeployment("canary.weight", "canary.weight is a percentage of calls from 1 to 99")
        return replace(self, canary=canary)

    def promoted(self) -> Deployment:
        """The canary serves every call (a rollout to it)."""
        if self.canary is None:
            raise InvalidTransition("the deployment has no canary to promote")
        return replace(self, serves=self.canary.serves, served_model=self.canary.served_model, canary=None)

    def after_probe(self, healthy: bool, detail: str | None, at: datetime) -> Deployment:
        """pending -> ready | failed; ready <-> degraded; failed -> ready; a stopped one is left alone."""
        status: DeploymentStatus
        if self.status == "stopped":
            return self
        if healthy:
            status = "ready"
        elif self.status in ("pending", "failed"):
            status = "failed"
        else:
            status = "degraded"
        return replace(self, status=status, status_detail=None if healthy else detail, last_probed_at=at)

    def stopped(self) -> Deployment:
        if self.status == "stopped":
            raise InvalidTransition("the deployment is already stopped")
        return replace(self, status="stopped", status_detail=None)

    def started(self) -> Deployment:
        """stopped -> pending; the next probe (right away) makes it ready or failed."""
        if self.status != "stopped":
            raise InvalidTransition(f"only a stopped deployment can be started (this one is {self.status})")
        return replace(self, status="pending", status_detail=None)

    def check_serving(self) -> None:
        """Only a ready or degraded deployment serves; the others say why."""
        if self.status not in SERVING_STATUSES:
            raise NotServing(self.name, self.status, self.status_detail)

    def rolled_out(self, target: ModelVersionRef, served_model: str | None) -> Deployment:
        if target.model_id != self.serves.model_id:
            raise InvalidDeployment("model_version_id", "a rollout must stay within the same model")
        canary = None if self.canary and self.canary.serves.version_id == target.version_id else self.canary
        return replace(self, serves=target, served_model=served_model, canary=canary)

    def with_fallbacks(self, fallbacks: list[Deployment]) -> Deployment:
        """Fallbacks are other deployments of the same kind, each named once."""
        ids = [f.id for f in fallbacks]
        if len(set(ids)) != len(ids) or self.id in ids:
            raise InvalidDeployment("fallbacks", "fallbacks must be other deployments, each named once")
        if any(f.kind != self.kind for f in fallbacks):
            raise InvalidDeployment("fallbacks", f"fallbacks must be {self.kind} deployments too")
        return replace(self, fallbacks=tuple(ids))

    def restored(self, revision: Revision) -> Deployment:
        """Serves what ``revision`` served again (a rollback)."""
        return replace(self, serves=revision.serves, served_model=revision.served_model, canary=revision.canary)

    @property
    def serving(self) -> tuple[ModelVersionRef, str | None, Canary | None]:
        """What answers calls: a change of it opens a revision."""
        return self.serves, self.served_model, self.canary


@dataclass(frozen=True)
class Revision:
    """One stretch of time during which a deployment served one model version."""

    deployment_id: uuid.UUID
    serves: ModelVersionRef
    valid_from: datetime
    valid_to: datetime | None
    served_model: str | None = None
    canary: Canary | None = None
