"""What a deployment served over time, and the one-call changes of it: roll back, promote the canary."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from mlp.registry.application.deployment_events import deployment_event
from mlp.registry.application.deployment_targets import existing_deployment
from mlp.registry.application.serving_ports import ModelVersions, ServingUnitOfWork
from mlp.registry.domain.deployment_errors import InvalidTransition
from mlp.registry.domain.deployments import Deployment, Revision


class DeploymentRevisions:
    def __init__(
        self,
        uow: Callable[[], ServingUnitOfWork],
        model_versions: ModelVersions,
        clock: Callable[[], datetime],
        on_change: Callable[[uuid.UUID, str], None] = lambda user_id, name: None,
    ) -> None:
        self._uow = uow
        self._model_versions = model_versions
        self._clock = clock
        self._on_change = on_change

    async def history(self, user_id: uuid.UUID, deployment_id: uuid.UUID, at: datetime | None) -> list[Revision]:
        """Every revision, or only the one that served the deployment at ``at`` (none before it existed)."""
        async with self._uow() as uow:
            await existing_deployment(uow, user_id, deployment_id)
            revisions = await uow.deployments.revisions(user_id, deployment_id)
        if at is None:
            return revisions
        return [r for r in revisions if r.valid_from <= at and (r.valid_to is None or at < r.valid_to)]

    async def rollback(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
        """Serve what the previous revision served (a second rollback returns to where the first started)."""
        async with self._uow() as uow:
            revisions = await uow.deployments.revisions(user_id, deployment_id)
        if len(revisions) < 2:
            await self._change(user_id, deployment_id, "rolled_back", lambda d: d)  # 404 before 409
            raise InvalidTransition("the deployment has no previous revision to roll back to")
        previous = revisions[-2]
        wanted = [previous.serves] + ([previous.canary.serves] if previous.canary else [])
        for version in wanted:
            if await self._model_versions.get(user_id, version.version_id) is None:
                raise InvalidTransition(f"version {version.version} of the previous revision was deleted")
        return await self._change(user_id, deployment_id, "rolled_back", lambda d: d.restored(previous))

    async def promote(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
        """The canary version serves every call."""
        return await self._change(user_id, deployment_id, "promoted", Deployment.promoted)

    async def _change(
        self, user_id: uuid.UUID, deployment_id: uuid.UUID, action: str, step: Callable[[Deployment], Deployment]
    ) -> Deployment:
        now = self._clock()
        async with self._uow() as uow:
            current = await existing_deployment(uow, user_id, deployment_id)
            changed = replace(step(current), updated_at=now)
            if changed.serving == current.serving:
                return current
            await uow.deployments.save(changed)
            await uow.deployments.open_revision(changed, now)
            event = deployment_event(changed, action, now, from_version=current.serves.version)
            await uow.outbox.audit([event])
            await uow.commit()
        self._on_change(user_id, changed.name)
        return changed
