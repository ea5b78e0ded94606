"""Registered models: create, get (by id or name), search, update, rename, tags, soft delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mlp.registry.application.model_pages import Page, page_of
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.models_ports import Clock, ModelsUnitOfWork, ModelsUnitOfWorkFactory, utc_now
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.model_queries import SearchQuery
from mlp.registry.domain.models import AliasChange, ModelRef, ModelVersion, RegisteredModel
from mlp.registry.domain.models_errors import ModelInUse, ModelNotFound

MODEL_NOT_FOUND = "no such registered model"
EDITABLE = {"description", "task", "tags"}


class RegisteredModels:
    def __init__(self, uow: ModelsUnitOfWorkFactory, clock: Clock = utc_now, max_page_size: int = 1000) -> None:
        self._uow = uow
        self._clock = clock
        self.max_page_size = max_page_size

    async def create(
        self,
        user_id: uuid.UUID,
        name: str,
        description: str | None = None,
        task: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> RegisteredModel:
        now = self._clock()
        model = RegisteredModel(
            id=uuid.uuid4(),
            user_id=user_id,
            name=rules.model_name(name),
            description=rules.text(description, "description", rules.MAX_DESCRIPTION),
            task=rules.text(task, "task", rules.MAX_TASK),
            tags=rules.tags(tags or {}),
            last_version=0,
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            model = await uow.models.add(model)
            await uow.outbox.audit([registry_event(user_id, "model.create", "model", model.id, now, name=model.name)])
            await uow.commit()
        return model

    async def get(self, user_id: uuid.UUID, ref: ModelRef) -> RegisteredModel:
        async with self._uow(read_only=True) as uow:
            return await model_or_404(uow, user_id, ref)

    async def search(self, user_id: uuid.UUID, query: SearchQuery) -> Page[RegisteredModel]:
        rules.page_size(query.limit, self.max_page_size)
        async with self._uow(read_only=True) as uow:
            rows = await uow.models.search(user_id, replace(query, limit=query.limit + 1))
        return page_of(rows, query.limit, lambda model: (model.name,))

    async def latest_versions(
        self, user_id: uuid.UUID, models: list[RegisteredModel]
    ) -> dict[uuid.UUID, list[ModelVersion]]:
        async with self._uow(read_only=True) as uow:
            return await uow.models.latest_versions(user_id, [m.id for m in models])

    async def update(self, user_id: uuid.UUID, ref: ModelRef, changes: dict[str, Any]) -> RegisteredModel:
        """Change any of ``description``, ``task``, ``tags`` (tags are replaced as a whole)."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        checked: dict[str, Callable[[Any], Any]] = {
            "description": lambda v: rules.text(v, "description", rules.MAX_DESCRIPTION),
            "task": lambda v: rules.text(v, "task", rules.MAX_TASK),
            "tags": lambda v: rules.tags(v or {}),
        }
        valid = {key: checked[key](value) for key, value in changes.items()}
        return await self._change(user_id, ref, valid, "model.update", fields=sorted(valid))

    async def rename(self, user_id: uuid.UUID, ref: ModelRef, new_name: str) -> RegisteredModel:
        name = rules.model_name(new_name, "new_name")
        return await self._change(user_id, ref, {"name": name}, "model.rename", new_name=name)

    async def set_tag(self, user_id: uuid.UUID, ref: ModelRef, key: str, value: str | None) -> None:
        """Set a tag (``value=None`` removes it; removing a tag the model lacks is a no-op)."""
        key = rules.tag_key(key)
        if value is not None:
            rules.tag_value(value)
        now = self._clock()
        async with self._uow() as uow:
            model = await model_or_404(uow, user_id, ref)
            if value is not None:
                rules.tags({**model.tags, key: value})  # still within the number of tags allowed
            await uow.models.set_tag(user_id, model.id, key, value, now)
            action = "model.set_tag" if value is not None else "model.delete_tag"
            await uow.outbox.audit([registry_event(user_id, action, "model", model.id, now, key=key)])
            await uow.commit()

    async def delete(self, user_id: uuid.UUID, ref: ModelRef) -> None:
        """Soft delete (the name becomes free); refused while a deployment serves one of its versions."""
        now = self._clock()
        async with self._uow() as uow:
            model = await model_or_404(uow, user_id, ref)
            if await uow.deployments.for_model(user_id, model.id):
                raise ModelInUse("a deployment still serves a version of this model: stop it first")
            dropped = await uow.aliases.pointing_at(user_id, model.id, None)
            await uow.aliases.record(user_id, model.id, [AliasChange(a, None, None, now) for a in dropped])
            await uow.models.soft_delete(user_id, model.id, now)
            await uow.outbox.audit([registry_event(user_id, "model.delete", "model", model.id, now, name=model.name)])
            await uow.commit()

    async def _change(
        self, user_id: uuid.UUID, ref: ModelRef, changes: dict[str, Any], action: str, **details: Any
    ) -> RegisteredModel:
        now = self._clock()
        async with self._uow() as uow:
            model = await uow.models.update(user_id, ref, changes, now)
            if model is None:
                raise ModelNotFound(MODEL_NOT_FOUND)
            await uow.outbox.audit([registry_event(user_id, action, "model", model.id, now, **details)])
            await uow.commit()
        return model


async def model_or_404(uow: ModelsUnitOfWork, user_id: uuid.UUID, ref: ModelRef) -> RegisteredModel:
    model = await uow.models.get(user_id, ref)
    if model is None:
        raise ModelNotFound(MODEL_NOT_FOUND)
    return model
