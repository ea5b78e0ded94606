"""Deployment use cases: create, read, roll out, stop, start, delete, and the history of versions served."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mlp.registry.application.deployment_drafts import DeploymentChange, DeploymentDraft
from mlp.registry.application.deployment_events import deployment_event
from mlp.registry.application.deployment_guard import UpstreamGuard
from mlp.registry.application.deployment_probes import DeploymentProber
from mlp.registry.application.deployment_targets import ServingTargets, existing_deployment
from mlp.registry.application.serving_ports import (
    DeploymentPage,
    ModelVersions,
    SecretBox,
    ServingBackend,
    ServingUnitOfWork,
)
from mlp.registry.domain.deployment_errors import DeploymentNotFound
from mlp.registry.domain.deployments import (
    Deployment,
    Timeouts,
    check_name,
    served_model_for,
)


@dataclass(frozen=True)
class DeploymentLimits:
    default_connect_timeout_seconds: float = 5.0
    default_timeout_seconds: float = 60.0
    max_timeout_seconds: float = 600.0


class Deployments:
    def __init__(
        self,
        uow: Callable[[], ServingUnitOfWork],
        model_versions: ModelVersions,
        secrets: SecretBox,
        guard: UpstreamGuard,
        backend: ServingBackend,
        prober: DeploymentProber,
        clock: Callable[[], datetime],
        limits: DeploymentLimits,
        on_change: Callable[[uuid.UUID, str], None] = lambda user_id, name: None,
    ) -> None:
        self._uow = uow
        self._targets = ServingTargets(model_versions)
        self._secrets = secrets
        self._guard = guard
        self._backend = backend
        self._prober = prober
        self._clock = clock
        self._limits = limits
        self._on_change = on_change

    async def create(self, user_id: uuid.UUID, draft: DeploymentDraft) -> Deployment:
        name = check_name(draft.name)
        timeouts = Timeouts(
            draft.connect_timeout_seconds or self._limits.default_connect_timeout_seconds,
            draft.timeout_seconds or self._limits.default_timeout_seconds,
        ).check(self._limits.max_timeout_seconds)
        url = await self._guard.check(draft.upstream_url)
        serves = await self._targets.version(user_id, draft.model_version_id)
        served_model = served_model_for(draft.kind, serves, draft.served_model)
        now = self._clock()
        deployment = Deployment(
            id=uuid.uuid4(),
            user_id=user_id,
            name=name,
            kind=draft.kind,
            serves=serves,
            upstream_url=url,
            has_credential=draft.credential is not None,
            timeouts=timeouts,
            status="pending",
            status_detail=None,
            created_at=now,
            updated_at=now,
            served_model=served_model,
        )
        deployment = replace(deployment, upstream_url=await self._backend.prepare(deployment))
        sealed = self._secrets.seal(draft.credential) if draft.credential is not None else None
        async with self._uow() as uow:
            deployment = deployment.with_fallbacks(await self._targets.fallbacks(uow, user_id, draft.fallbacks))
            await uow.deployments.add(deployment, sealed)
            await uow.deployments.open_revision(deployment, now)
            await uow.outbox.audit([deployment_event(deployment, "created", now)])
            await uow.commit()
        return await self._prober.probe(deployment, draft.credential)

    async def get(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
        async with self._uow() as uow:
            found = await uow.deployments.get(user_id, deployment_id)
        if found is None:
            raise DeploymentNotFound("no such deployment")
        return found

    async def page(self, user_id: uuid.UUID, limit: int, cursor: str | None) -> DeploymentPage:
        async with self._uow() as uow:
            return await uow.deployments.page(user_id, limit, cursor)

    async def update(self, user_id: uuid.UUID, deployment_id: uuid.UUID, change: DeploymentChange) -> Deployment:
        """A new model version is a rollout (a new revision); upstream, credential and timeouts may change too
        (a new upstream or credential is probed at once)."""
        url = await self._guard.check(change.upstream_url) if change.upstream_url is not None else None
        now = self._clock()
        async with self._uow() as uow:
            current = await existing_deployment(uow, user_id, deployment_id)
            updated = await self._targets.serving(uow, user_id, current, change)
            timeouts = Timeouts(
                change.connect_timeout_seconds or current.timeouts.connect_seconds,
                change.timeout_seconds or current.timeouts.read_seconds,
            ).check(self._limits.max_timeout_seconds)
            credential: bytes | bool | None = False
            if change.credential is not None:
                credential = self._secrets.seal(change.credential)
            elif change.clear_credential:
                credential = None
            updated = replace(
                updated,
                upstream_url=url or current.upstream_url,
                timeouts=timeouts,
                has_credential=current.has_credential if credential is False else credential is not None,
                updated_at=now,
            )
            await uow.deployments.save(updated, credential)
            events = [deployment_event(updated, "updated", now)]
            if updated.serving != current.serving:
                await uow.deployments.open_revision(updated, now)
                events.append(deployment_event(updated, "rolled_out", now, from_version=current.serves.version))
            await uow.outbox.audit(events)
            await uow.commit()
        self._on_change(user_id, updated.name)
        if url is not None or credential is not False:  # another upstream, or another key: check it now
            return await self._prober.probe_stored(updated)
        return updated

    async def stop(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
        return await self._transition(user_id, deployment_id, "stopped", Deployment.stopped)

    async def start(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
        started = await self._transition(user_id, deployment_id, "started", Deployment.started)
        return await self._prober.probe_stored(started)

    async def delete(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> None:
        """Stops the deployment first (so nothing is served from it), then deletes it softly."""
        now = self._clock()
        async with self._uow() as uow:
            current = await existing_deployment(uow, user_id, deployment_id)
            stopped = current if current.status == "stopped" else current.stopped()
            await uow.deployments.save(replace(stopped, updated_at=now))
            await uow.deployments.delete(user_id, deployment_id, now)
            await uow.outbox.audit([deployment_event(stopped, "deleted", now)])
            await uow.commit()
        await self._backend.release(current)
        self._on_change(user_id, current.name)

    async def _transition(
        self, user_id: uuid.UUID, deployment_id: uuid.UUID, action: str, step: Callable[[Deployment], Deployment]
    ) -> Deployment:
        now = self._clock()
        async with self._uow() as uow:
            current = await existing_deployment(uow, user_id, deployment_id)
            changed = replace(step(current), updated_at=now)
            await uow.deployments.save(changed)
            await uow.outbox.audit([deployment_event(changed, action, now, from_status=current.status)])
            await uow.commit()
        self._on_change(user_id, changed.name)
        return changed
