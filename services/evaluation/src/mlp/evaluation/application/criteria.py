"""My criteria: create (config validated), read, list, update, delete; each change audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mlp.evaluation.application.clock import Clock, utc_now
from mlp.evaluation.application.events import audit_event
from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.domain.criteria import Criterion, check_name
from mlp.evaluation.domain.criterion_configs import parse_config
from mlp.evaluation.domain.errors import NotFound


@dataclass(frozen=True)
class CriterionDraft:
    name: str
    kind: str
    config: dict[str, Any]
    description: str | None = None
    metadata: dict[str, Any] | None = None


class Criteria:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, user_id: uuid.UUID, draft: CriterionDraft) -> Criterion:
        check_name(draft.name)
        parse_config(draft.kind, draft.config)
        now = self._clock()
        criterion = Criterion(
            id=uuid.uuid4(),
            user_id=user_id,
            name=draft.name,
            kind=draft.kind,
            config=draft.config,
            created_at=now,
            updated_at=now,
            description=draft.description,
            metadata=draft.metadata or {},
        )
        async with self._uow() as uow:
            await uow.criteria.add(criterion)
            await uow.outbox.audit([audit_event(user_id, "criterion.created", "criterion", criterion.id, now)])
            await uow.commit()
        return criterion

    async def get(self, user_id: uuid.UUID, criterion_id: uuid.UUID) -> Criterion:
        async with self._uow() as uow:
            found = await uow.criteria.get(user_id, criterion_id)
        if found is None:
            raise NotFound("no such criterion", field="criterion_id")
        return found

    async def list(self, user_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[Criterion]:
        async with self._uow() as uow:
            return await uow.criteria.list_for_user(user_id, limit, after)

    async def update(self, user_id: uuid.UUID, criterion_id: uuid.UUID, changes: dict[str, Any]) -> Criterion:
        """``changes`` may hold name, description, type, config, metadata (a new type needs its config)."""
        async with self._uow() as uow:
            current = await uow.criteria.get(user_id, criterion_id)
            if current is None:
                raise NotFound("no such criterion", field="criterion_id")
            kind = changes.get("kind", current.kind)
            config = changes.get("config", current.config if kind == current.kind else {})
            parse_config(kind, config)
            name = check_name(changes.get("name", current.name))
            now = self._clock()
            updated = replace(
                current,
                name=name,
                kind=kind,
                config=config,
                description=changes.get("description", current.description),
                metadata=changes.get("metadata", current.metadata),
                updated_at=now,
            )
            await uow.criteria.update(updated)
            await uow.outbox.audit([audit_event(user_id, "criterion.updated", "criterion", criterion_id, now)])
            await uow.commit()
        return updated

    async def delete(self, user_id: uuid.UUID, criterion_id: uuid.UUID) -> None:
        now = self._clock()
        async with self._uow() as uow:
            if not await uow.criteria.delete(user_id, criterion_id, now):
                raise NotFound("no such criterion", field="criterion_id")
            await uow.outbox.audit([audit_event(user_id, "criterion.deleted", "criterion", criterion_id, now)])
            await uow.commit()
