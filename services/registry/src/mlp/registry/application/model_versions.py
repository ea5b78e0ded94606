"""Model versions: register (the number is the model's next, race-free), get, search, update, tags, delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mlp.registry.application.model_pages import Page, page_of
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.models_ports import Clock, ModelsUnitOfWork, ModelsUnitOfWorkFactory, utc_now
from mlp.registry.application.registered_models import MODEL_NOT_FOUND
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import VERSION_STATUSES, AliasChange, ModelRef, ModelVersion, NewVersion
from mlp.registry.domain.models_errors import InvalidModelInput, ModelInUse, ModelNotFound

VERSION_NOT_FOUND = "no such model version"


def _status(value: Any) -> Any:
    if value not in VERSION_STATUSES:
        raise InvalidModelInput(f"status is one of {', '.join(VERSION_STATUSES)}", field="status")
    return value


CHECKS: dict[str, Callable[[Any], Any]] = {
    "description": lambda v: rules.text(v, "description", rules.MAX_DESCRIPTION),
    "status": _status,
    "status_message": lambda v: rules.text(v, "status_message", rules.MAX_DESCRIPTION),
    "params": lambda v: rules.entries(v or {}, "params"),
    "metrics": lambda v: rules.entries(v or {}, "metrics"),
    "tags": lambda v: rules.tags(v or {}),
}


class ModelVersions:
    def __init__(self, uow: ModelsUnitOfWorkFactory, clock: Clock = utc_now, max_page_size: int = 1000) -> None:
        self._uow = uow
        self._clock = clock
        self.max_page_size = max_page_size

    async def create(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion) -> ModelVersion:
        rules.new_version(request)
        _status(request.status)
        now = self._clock()
        async with self._uow() as uow:
            await _check_references(uow, user_id, request)
            version = await uow.versions.add(user_id, ref, request, now)
            if version is None:
                raise ModelNotFound(MODEL_NOT_FOUND)
            event = registry_event(
                user_id,
                "model_version.create",
                "model_version",
                version.id,
                now,
                model=version.model_name,
                version=version.version,
            )
            await uow.outbox.audit([event])
            await uow.commit()
        return version

    async def get(self, user_id: uuid.UUID, ref: ModelRef, number: int) -> ModelVersion:
        async with self._uow(read_only=True) as uow:
            return await version_or_404(uow, user_id, ref, number)

    async def search(self, user_id: uuid.UUID, query: SearchQuery, model: ModelRef | None = None) -> Page[ModelVersion]:
        """Versions of every model (MLflow's search) or of one model (``model``), newest first per model."""
        rules.page_size(query.limit, self.max_page_size)
        async with self._uow(read_only=True) as uow:
            model_id = None
            if model is not None:
                found = await uow.models.get(user_id, model)
                if found is None:
                    raise ModelNotFound(MODEL_NOT_FOUND)
                model_id = found.id
            rows = await uow.versions.search(user_id, replace(query, limit=query.limit + 1), model_id)
        return page_of(rows, query.limit, lambda v: (v.model_name, str(v.version)))

    async def update(self, user_id: uuid.UUID, ref: ModelRef, number: int, changes: dict[str, Any]) -> ModelVersion:
        """Change any of ``description``, ``status``, ``status_message``, ``params``, ``metrics``, ``tags``."""
        valid = {key: CHECKS[key](value) for key, value in changes.items()}
        now = self._clock()
        async with self._uow() as uow:
            version = await uow.versions.update(user_id, ref, number, valid, now)
            if version is None:
                raise ModelNotFound(VERSION_NOT_FOUND)
            event = registry_event(
                user_id, "model_version.update", "model_version", version.id, now, fields=sorted(valid)
            )
            await uow.outbox.audit([event])
            await uow.commit()
        return version

    async def set_tag(self, user_id: uuid.UUID, ref: ModelRef, number: int, key: str, value: str | None) -> None:
        """Set a tag (``value=None`` removes it)."""
        key = rules.tag_key(key)
        now = self._clock()
        async with self._uow() as uow:
            version = await version_or_404(uow, user_id, ref, number)
            if value is not None:
                rules.tags({**version.tags, key: rules.tag_value(value)})
            await uow.versions.set_tag(user_id, version.model_id, number, key, value, now)
            action = "model_version.set_tag" if value is not None else "model_version.delete_tag"
            await uow.outbox.audit([registry_event(user_id, action, "model_version", version.id, now, key=key)])
            await uow.commit()

    async def delete(self, user_id: uuid.UUID, ref: ModelRef, number: int) -> None:
        """Soft delete; its number is never reused. Refused while a deployment serves it."""
        now = self._clock()
        async with self._uow() as uow:
            version = await version_or_404(uow, user_id, ref, number)
            if await uow.deployments.for_version(user_id, version.id):
                raise ModelInUse("a deployment still serves this version: stop it first")
            changes = [AliasChange(alias, None, None, now) for alias in version.aliases]
            await uow.aliases.record(user_id, version.model_id, changes)
            await uow.versions.soft_delete(user_id, version.id, now)
            event = registry_event(
                user_id, "model_version.delete", "model_version", version.id, now, version=version.version
            )
            await uow.outbox.audit([event])
            await uow.commit()


async def version_or_404(uow: ModelsUnitOfWork, user_id: uuid.UUID, ref: ModelRef, number: int) -> ModelVersion:
    version = await uow.versions.get(user_id, ref, number)
    if version is None:
        raise ModelNotFound(VERSION_NOT_FOUND)
    return version


async def _check_references(uow: ModelsUnitOfWork, user_id: uuid.UUID, request: NewVersion) -> None:
    """A file or tune job named by a version must be the caller's: anyone else's is not found."""
    file_id, tune_job_id = request.artifact.file_id, request.source.tune_job_id
    if file_id is not None and not await uow.resources.owns_file(user_id, file_id):
        raise ModelNotFound("no such file", field="artifact_file_id")
    if tune_job_id is not None and not await uow.resources.owns_tune_job(user_id, tune_job_id):
        raise ModelNotFound("no such tune job", field="source.tune_job_id")
