"""What the model registry's use cases need: repositories over one transaction, the deployments
that pin versions, ownership of files and tune jobs, and the outbox of audit events."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from mlp.common.contracts.audit import OperationEventIn
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import AliasChange, ModelRef, ModelVersion, NewVersion, RegisteredModel

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ModelRepository(Protocol):
    async def add(self, model: RegisteredModel) -> RegisteredModel:
        """Raises ``ModelAlreadyExists`` when the user has a live model of that name."""
        ...

    async def get(self, user_id: uuid.UUID, ref: ModelRef) -> RegisteredModel | None: ...

    async def search(self, user_id: uuid.UUID, query: SearchQuery) -> list[RegisteredModel]:
        """Ordered by name; ``query.after`` holds the last name of the previous page."""
        ...

    async def update(
        self, user_id: uuid.UUID, ref: ModelRef, changes: dict[str, Any], now: datetime
    ) -> RegisteredModel | None:
        """Set columns (``name``, ``description``, ``task``, ``tags``); a taken name raises ``ModelAlreadyExists``."""
        ...

    async def set_tag(self, user_id: uuid.UUID, ref: ModelRef, key: str, value: str | None, now: datetime) -> bool:
        """Set (or, with ``value=None``, remove) one tag; False when there is no such model."""
        ...

    async def soft_delete(self, user_id: uuid.UUID, model_id: uuid.UUID, now: datetime) -> None:
        """The model and its versions; its aliases are removed."""
        ...

    async def latest_versions(
        self, user_id: uuid.UUID, model_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ModelVersion]]:
        """Per model, its newest live version that is not archived and its newest archived one."""
        ...


class VersionRepository(Protocol):
    async def add(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion, now: datetime) -> ModelVersion | None:
        """Take the model's next number (race-free) and insert; None when there is no such model."""
        ...

    async def get(self, user_id: uuid.UUID, ref: ModelRef, number: int) -> ModelVersion | None: ...

    async def by_id(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersion | None: ...

    async def by_alias(self, user_id: uuid.UUID, ref: ModelRef, alias: str) -> ModelVersion | None: ...

    async def search(
        self, user_id: uuid.UUID, query: SearchQuery, model_id: uuid.UUID | None = None
    ) -> list[ModelVersion]:
        """Ordered by model name, then version number descending; ``after`` is (name, version)."""
        ...

    async def update(
        self, user_id: uuid.UUID, ref: ModelRef, number: int, changes: dict[str, Any], now: datetime
    ) -> ModelVersion | None: ...

    async def set_tag(
        self, user_id: uuid.UUID, ref: ModelRef, number: int, key: str, value: str | None, now: datetime
    ) -> bool: ...

    async def soft_delete(self, user_id: uuid.UUID, version_id: uuid.UUID, now: datetime) -> None:
        """The version; aliases pointing at it are removed."""
        ...


class AliasRepository(Protocol):
    async def point(self, user_id: uuid.UUID, model_id: uuid.UUID, change: AliasChange) -> None:
        """Create the alias or move it to ``change.version_id`` (one version per alias per model), and
        record the change in the alias's history."""
        ...

    async def remove(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str) -> bool: ...

    async def pointing_at(self, user_id: uuid.UUID, model_id: uuid.UUID, version_id: uuid.UUID | None) -> list[str]:
        """Aliases of the model that point at ``version_id`` (or at any version with None)."""
        ...

    async def record(self, user_id: uuid.UUID, model_id: uuid.UUID, changes: Sequence[AliasChange]) -> None: ...

    async def at(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str, when: datetime) -> AliasChange | None:
        """The last change of the alias at or before ``when``."""
        ...

    async def history(self, user_id: uuid.UUID, model_id: uuid.UUID, alias: str, limit: int) -> list[AliasChange]:
        """Newest first."""
        ...


class UserResources(Protocol):
    """Other resources of this service that a version may name: they must be the caller's."""

    async def owns_file(self, user_id: uuid.UUID, file_id: uuid.UUID) -> bool: ...

    async def owns_tune_job(self, user_id: uuid.UUID, tune_job_id: uuid.UUID) -> bool: ...


class DeploymentsInUse(Protocol):
    """Deployments that are not stopped or deleted pin the versions they serve."""

    async def for_model(self, user_id: uuid.UUID, model_id: uuid.UUID) -> bool: ...

    async def for_version(self, user_id: uuid.UUID, version_id: uuid.UUID) -> bool: ...


class AuditOutbox(Protocol):
    """``mlp.common.runtime.outbox.Outbox`` fits: events are enqueued in the caller's transaction."""

    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...


class ModelsUnitOfWork(Protocol):
    """One database transaction; committed only by ``commit()``, rolled back otherwise."""

    models: ModelRepository
    versions: VersionRepository
    aliases: AliasRepository
    resources: UserResources
    deployments: DeploymentsInUse
    outbox: AuditOutbox

    async def __aenter__(self) -> ModelsUnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


class ModelsUnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> ModelsUnitOfWork:
        """``read_only``: no transaction at all (each read sees committed rows; nothing to commit)."""
        ...
