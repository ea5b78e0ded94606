"""The ports of deployments and the inference proxy (repositories, the serving backend, upstream calls).

Kept apart from ``ports.py`` (which other areas of registry fill) so each area's ports stay short.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.registry.domain.deployments import Deployment, ModelVersionRef, Revision, Timeouts
from mlp.registry.domain.inference import DailyStats, InferenceRecord


class ModelVersions(Protocol):
    """The model registry, as deployments need it: does this version exist, and is it the user's?"""

    async def get(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersionRef | None: ...


class EventOutbox(Protocol):
    """Audit and usage events written in the caller's transaction, delivered later by the relay."""

    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...

    async def usage(self, events: Sequence[UsageEventIn]) -> None: ...


@dataclass(frozen=True)
class DeploymentPage:
    items: list[Deployment]
    next_cursor: str | None


class DeploymentRepository(Protocol):
    async def add(self, deployment: Deployment, credential: bytes | None) -> None:
        """Raises :class:`NameTaken` when the user already has a live deployment of that name."""

    async def get(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment | None: ...

    async def by_name(self, user_id: uuid.UUID, name: str) -> tuple[Deployment, bytes | None] | None: ...

    async def page(self, user_id: uuid.UUID, limit: int, cursor: str | None) -> DeploymentPage: ...

    async def live(self, limit: int) -> list[tuple[Deployment, bytes | None]]:
        """Deployments that are not stopped or deleted, least recently probed first (every user)."""

    async def save(self, deployment: Deployment, credential: bytes | bool | None = False) -> None:
        """Store status, version, upstream, timeouts; ``credential``: new ciphertext, None to clear, False to keep."""

    async def record_probe(self, probed: Deployment, previous_status: str) -> bool:
        """Store a probe's outcome unless the status moved meanwhile (a stop wins over a probe)."""

    async def delete(self, user_id: uuid.UUID, deployment_id: uuid.UUID, at: datetime) -> None: ...

    async def open_revision(self, deployment: Deployment, at: datetime) -> None:
        """Close the current revision (if any) at ``at`` and open one for the version now served."""

    async def revisions(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> list[Revision]: ...

    async def purge_user(self, user_id: uuid.UUID) -> list[uuid.UUID]: ...


class ServingUnitOfWork(Protocol):
    deployments: DeploymentRepository
    outbox: EventOutbox

    async def __aenter__(self) -> ServingUnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


class SecretBox(Protocol):
    """Encrypts upstream credentials at rest."""

    def seal(self, plaintext: str) -> bytes: ...

    def open(self, ciphertext: bytes) -> str: ...


@dataclass(frozen=True)
class UpstreamTarget:
    """Where and how to reach a deployment's model server (the credential in clear, in memory only)."""

    url: str
    credential: str | None
    timeouts: Timeouts


@dataclass(frozen=True)
class ProbeOutcome:
    healthy: bool
    detail: str | None = None


class ServingBackend(Protocol):
    """Runs model servers for deployments. Today's adapter targets an existing upstream URL; a cluster
    adapter would launch a server in ``prepare`` and tear it down in ``release``."""

    async def prepare(self, deployment: Deployment) -> str:
        """The upstream URL to serve ``deployment`` from."""

    async def probe(self, kind: str, target: UpstreamTarget) -> ProbeOutcome: ...

    async def release(self, deployment: Deployment) -> None: ...


@dataclass(frozen=True)
class UpstreamReply:
    status_code: int
    body: bytes
    content_type: str
    upstream_ms: float


class UpstreamStream(Protocol):
    status_code: int
    content_type: str
    first_byte_ms: float

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def read(self) -> bytes:
        """The whole body (for an error answer)."""

    async def aclose(self) -> None: ...


class UpstreamClient(Protocol):
    """The hot path to model servers: raises :class:`UpstreamTimeout` or :class:`UpstreamUnavailable`."""

    async def call(self, target: UpstreamTarget, path: str, body: bytes) -> UpstreamReply: ...

    async def open_stream(self, target: UpstreamTarget, path: str, body: bytes) -> UpstreamStream: ...


@dataclass(frozen=True)
class InferenceFilter:
    deployment_id: uuid.UUID | None = None
    status: str | None = None  # "success" or "error"
    since: datetime | None = None
    until: datetime | None = None
    model_version_id: uuid.UUID | None = None


@dataclass(frozen=True)
class InferencePage:
    items: list[InferenceRecord]
    next_cursor: str | None


class InferenceLogWriter(Protocol):
    async def write(self, batch: Sequence[tuple[InferenceRecord, Sequence[UsageEventIn]]]) -> None:
        """Insert the records and enqueue their usage events in one transaction (idempotent on record id)."""


class InferenceLogReader(Protocol):
    async def page(
        self, user_id: uuid.UUID, filters: InferenceFilter, limit: int, cursor: str | None
    ) -> InferencePage: ...

    async def daily_stats(
        self, user_id: uuid.UUID, deployment_id: uuid.UUID | None, since: date, until: date
    ) -> list[DailyStats]: ...
