"""What the deployments API accepts and answers (never the upstream credential)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from mlp.registry.domain.deployments import Canary, Deployment, Revision

Kind = Literal["openai-chat", "openai-completions", "openai-embeddings", "http-json"]
Seconds = Annotated[float, msgspec.Meta(gt=0, le=3600)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Credential = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
ServedModel = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Fallbacks = Annotated[list[uuid.UUID], msgspec.Meta(max_length=5)]


class CanaryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    model_version_id: uuid.UUID
    weight: Annotated[int, msgspec.Meta(ge=1, le=99)]
    """Percent of the calls the canary answers."""
    served_model: ServedModel | None = None


class CanaryView(msgspec.Struct, kw_only=True):
    model_version_id: uuid.UUID
    version: int
    served_model: str | None
    weight: int

    @classmethod
    def of(cls, canary: Canary | None) -> CanaryView | None:
        if canary is None:
            return None
        return cls(
            model_version_id=canary.serves.version_id,
            version=canary.serves.version,
            served_model=canary.served_model,
            weight=canary.weight,
        )


class DeploymentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    kind: Kind
    model_version_id: uuid.UUID
    upstream_url: Url
    upstream_api_key: Credential | None = None
    connect_timeout_seconds: Seconds | None = None
    timeout_seconds: Seconds | None = None
    served_model: ServedModel | None = None
    """The model id the upstream serves this version under, when its artifact URI is not one."""
    fallbacks: Fallbacks = msgspec.field(default_factory=list)
    """Deployments (ids) tried in order when this one fails before answering."""


class DeploymentPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new ``model_version_id`` (of the same model) is a rollout."""

    model_version_id: uuid.UUID | None = None
    upstream_url: Url | None = None
    upstream_api_key: Credential | None = None
    clear_upstream_api_key: bool = False
    connect_timeout_seconds: Seconds | None = None
    timeout_seconds: Seconds | None = None
    served_model: ServedModel | None = None
    """With a new version: its override (left out: the version's own id); alone: the current version's."""
    fallbacks: Fallbacks | None = None
    """Replaces the list ([] clears it)."""
    canary: CanaryIn | msgspec.UnsetType | None = msgspec.UNSET
    """A second version for a share of the calls; null removes it."""


class DeploymentView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: str
    model_id: uuid.UUID
    model_version_id: uuid.UUID
    version: int
    served_model: str | None
    canary: CanaryView | None
    fallbacks: list[uuid.UUID]
    upstream_url: str
    has_upstream_api_key: bool
    connect_timeout_seconds: float
    timeout_seconds: float
    status: str
    status_detail: str | None
    created_at: datetime
    updated_at: datetime
    last_probed_at: datetime | None

    @classmethod
    def of(cls, d: Deployment) -> DeploymentView:
        return cls(
            id=d.id,
            name=d.name,
            kind=d.kind,
            model_id=d.serves.model_id,
            model_version_id=d.serves.version_id,
            version=d.serves.version,
            served_model=d.served_model,
            canary=CanaryView.of(d.canary),
            fallbacks=list(d.fallbacks),
            upstream_url=d.upstream_url,
            has_upstream_api_key=d.has_credential,
            connect_timeout_seconds=d.timeouts.connect_seconds,
            timeout_seconds=d.timeouts.read_seconds,
            status=d.status,
            status_detail=d.status_detail,
            created_at=d.created_at,
            updated_at=d.updated_at,
            last_probed_at=d.last_probed_at,
        )


class DeploymentPageView(msgspec.Struct, kw_only=True):
    data: list[DeploymentView]
    has_more: bool
    next_cursor: str | None


class RevisionView(msgspec.Struct, kw_only=True):
    model_version_id: uuid.UUID
    version: int
    served_model: str | None
    canary: CanaryView | None
    valid_from: datetime
    valid_to: datetime | None

    @classmethod
    def of(cls, r: Revision) -> RevisionView:
        return cls(
            model_version_id=r.serves.version_id,
            version=r.serves.version,
            served_model=r.served_model,
            canary=CanaryView.of(r.canary),
            valid_from=r.valid_from,
            valid_to=r.valid_to,
        )


class HistoryView(msgspec.Struct, kw_only=True):
    deployment_id: uuid.UUID
    at: datetime | None
    revisions: list[RevisionView]
