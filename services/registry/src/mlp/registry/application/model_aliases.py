"""Aliases (``production``, ``champion`` …): set or move, delete, resolve now or at a past time.

Each set, move and delete is recorded, so "which version did production point to at T" has an answer.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from mlp.registry.application.model_versions import VERSION_NOT_FOUND, version_or_404
from mlp.registry.application.models_audit import registry_event
from mlp.registry.application.models_ports import Clock, ModelsUnitOfWorkFactory, utc_now
from mlp.registry.application.registered_models import model_or_404
from mlp.registry.domain import model_rules as rules
from mlp.registry.domain.models import AliasChange, ModelRef, ModelVersion
from mlp.registry.domain.models_errors import InvalidModelInput, ModelNotFound

ALIAS_NOT_FOUND = "no such alias"


class ModelAliases:
    def __init__(self, uow: ModelsUnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    async def set(
        self,
        user_id: uuid.UUID,
        ref: ModelRef,
        alias: str,
        *,
        version: int | None = None,
        version_id: uuid.UUID | None = None,
    ) -> ModelVersion:
        """Point ``alias`` at a version of this model, named by number or by id; moves it if it exists."""
        alias = rules.alias(alias)
        now = self._clock()
        async with self._uow() as uow:
            if version_id is not None:
                model = await model_or_404(uow, user_id, ref)
                target = await uow.versions.by_id(user_id, version_id)
                if target is None:
                    raise ModelNotFound(VERSION_NOT_FOUND, field="version_id")
                if target.model_id != model.id:
                    raise InvalidModelInput("that version belongs to another model", field="version_id")
            elif version is not None:
                target = await version_or_404(uow, user_id, ref, version)
            else:
                raise InvalidModelInput("name the version by number or id", field="version")
            await uow.aliases.point(user_id, target.model_id, AliasChange(alias, target.version, target.id, now))
            event = registry_event(
                user_id, "model_alias.set", "model", target.model_id, now, alias=alias, version=target.version
            )
            await uow.outbox.audit([event])
            await uow.commit()
        return replace(target, aliases=tuple(sorted({*target.aliases, alias})))

    async def delete(self, user_id: uuid.UUID, ref: ModelRef, alias: str) -> None:
        now = self._clock()
        async with self._uow() as uow:
            model = await model_or_404(uow, user_id, ref)
            if not await uow.aliases.remove(user_id, model.id, alias):
                raise ModelNotFound(ALIAS_NOT_FOUND, field="alias")
            await uow.aliases.record(user_id, model.id, [AliasChange(alias, None, None, now)])
            await uow.outbox.audit([registry_event(user_id, "model_alias.delete", "model", model.id, now, alias=alias)])
            await uow.commit()

    async def resolve(self, user_id: uuid.UUID, ref: ModelRef, alias: str) -> ModelVersion:
        async with self._uow(read_only=True) as uow:
            found = await uow.versions.by_alias(user_id, ref, alias)
        if found is None:
            raise ModelNotFound(ALIAS_NOT_FOUND, field="alias")
        return found

    async def at(self, user_id: uuid.UUID, ref: ModelRef, alias: str, when: datetime) -> AliasChange:
        """Where the alias pointed at ``when`` (the change in force then); 404 if it pointed nowhere."""
        async with self._uow(read_only=True) as uow:
            model = await model_or_404(uow, user_id, ref)
            change = await uow.aliases.at(user_id, model.id, alias, when)
        if change is None or change.version_id is None:
            raise ModelNotFound(f"the alias pointed to no version at {when.isoformat()}", field="at")
        return change

    async def history(self, user_id: uuid.UUID, ref: ModelRef, alias: str, limit: int) -> list[AliasChange]:
        rules.page_size(limit, 1000)
        async with self._uow(read_only=True) as uow:
            model = await model_or_404(uow, user_id, ref)
            return await uow.aliases.history(user_id, model.id, alias, limit)
