"""What a deployment is asked to serve, resolved from a caller's request: the user's versions, their
served models, a canary, fallbacks (the user's deployments)."""

from __future__ import annotations

import uuid

from msgspec import UNSET

from mlp.registry.application.deployment_drafts import DeploymentChange
from mlp.registry.application.serving_ports import ModelVersions, ServingUnitOfWork
from mlp.registry.domain.deployment_errors import DeploymentNotFound
from mlp.registry.domain.deployments import Canary, Deployment, ModelVersionRef, served_model_for


async def existing_deployment(uow: ServingUnitOfWork, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
    found = await uow.deployments.get(user_id, deployment_id)
    if found is None:
        raise DeploymentNotFound("no such deployment")
    return found


class ServingTargets:
    def __init__(self, model_versions: ModelVersions) -> None:
        self._model_versions = model_versions

    async def version(
        self, user_id: uuid.UUID, version_id: uuid.UUID, field: str = "model_version_id"
    ) -> ModelVersionRef:
        """The user's version, or a 404 naming ``field``."""
        found = await self._model_versions.get(user_id, version_id)
        if found is None:
            raise DeploymentNotFound("no such model version", field)
        return found

    async def serving(
        self, uow: ServingUnitOfWork, user_id: uuid.UUID, current: Deployment, change: DeploymentChange
    ) -> Deployment:
        """What answers after ``change``: version, served model, canary, fallbacks."""
        updated = current
        if change.model_version_id is not None or change.served_model is not None:
            serves = current.serves
            if change.model_version_id is not None:
                serves = await self.version(user_id, change.model_version_id)
            updated = current.rolled_out(serves, served_model_for(current.kind, serves, change.served_model))
        if change.canary is not UNSET:
            canary = None
            if change.canary is not None:
                version = await self.version(user_id, change.canary.model_version_id, "canary.model_version_id")
                served_model = served_model_for(current.kind, version, change.canary.served_model)
                canary = Canary(version, served_model, change.canary.weight)
            updated = updated.with_canary(canary)
        if change.fallbacks is not None:
            updated = updated.with_fallbacks(await self.fallbacks(uow, user_id, change.fallbacks))
        return updated

    @staticmethod
    async def fallbacks(uow: ServingUnitOfWork, user_id: uuid.UUID, ids: tuple[uuid.UUID, ...]) -> list[Deployment]:
        """The user's deployments named, in order, or a 404 naming ``fallbacks``."""
        found = []
        for fallback_id in ids:
            fallback = await uow.deployments.get(user_id, fallback_id)
            if fallback is None:
                raise DeploymentNotFound(f"no such deployment: {fallback_id}", "fallbacks")
            found.append(fallback)
        return found
