"""Deployments: a model version served under a name, behind an upstream model server.

The name is unique per user and is what OpenAI clients pass as ``model``. Pointing a deployment
at another version of the same model is a rollout; each rollout opens a new revision, so the
history answers which version served the deployment at any moment.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from mlp.registry.domain.deployment_errors import InvalidDeployment, InvalidTransition

DeploymentKind = Literal["openai-chat", "openai-completions", "openai-embeddings", "http-json"]
DEPLOYMENT_KINDS: tuple[DeploymentKind, ...] = ("openai-chat", "openai-completions", "openai-embeddings", "http-json")

DeploymentStatus = Literal["pending", "ready", "degraded", "failed", "stopped"]
DEPLOYMENT_STATUSES: tuple[DeploymentStatus, ...] = ("pending", "ready", "degraded", "failed", "stopped")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")


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


@dataclass(frozen=True)
class ModelVersionRef:
    """The model version a deployment serves, as the model registry knows it."""

    model_id: uuid.UUID
    version_id: uuid.UUID
    version: int


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

    def rolled_out(self, target: ModelVersionRef) -> Deployment:
        if target.model_id != self.serves.model_id:
            raise InvalidDeployment("model_version_id", "a rollout must stay within the same model")
        return replace(self, serves=target)


@dataclass(frozen=True)
class Revision:
    """One stretch of time during which a deployment served one model version."""

    deployment_id: uuid.UUID
    serves: ModelVersionRef
    valid_from: datetime
    valid_to: datetime | None
