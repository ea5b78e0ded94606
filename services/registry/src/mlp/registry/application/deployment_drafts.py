"""What a caller asks of a deployment (create and update), before the rules are applied."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from msgspec import UNSET, UnsetType

from mlp.registry.domain.deployments import DeploymentKind


@dataclass(frozen=True)
class DeploymentDraft:
    name: str
    kind: DeploymentKind
    model_version_id: uuid.UUID
    upstream_url: str
    credential: str | None
    connect_timeout_seconds: float | None
    timeout_seconds: float | None
    served_model: str | None = None
    fallbacks: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class CanaryDraft:
    model_version_id: uuid.UUID
    weight: int
    served_model: str | None = None


@dataclass(frozen=True)
class DeploymentChange:
    """Fields left ``None`` stay as they are; ``clear_credential`` drops the stored credential."""

    model_version_id: uuid.UUID | None = None
    upstream_url: str | None = None
    credential: str | None = None
    clear_credential: bool = False
    connect_timeout_seconds: float | None = None
    timeout_seconds: float | None = None
    fallbacks: tuple[uuid.UUID, ...] | None = None
    """None keeps them, () clears them."""
    canary: CanaryDraft | UnsetType | None = UNSET
    """UNSET keeps it, None removes it."""
    served_model: str | None = None
    """With a new version, its override (none: the version's own id); alone, the current version's."""
