"""Where a deployment name leads: the deployment and its upstream, cached briefly per replica.

The hot path reads this cache instead of the database; a change made on this replica forgets
the entry at once, a change made on another replica is seen within ``ttl_seconds``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mlp.registry.application.serving_ports import SecretBox, ServingUnitOfWork, UpstreamTarget
from mlp.registry.domain.deployment_errors import DeploymentNotFound
from mlp.registry.domain.deployments import Deployment


@dataclass(frozen=True)
class Route:
    deployment: Deployment
    target: UpstreamTarget


class DeploymentRoutes:
    def __init__(
        self,
        uow: Callable[[], ServingUnitOfWork],
        secrets: SecretBox,
        ttl_seconds: float = 2.0,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._secrets = secrets
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._now = monotonic
        self._by_name: dict[tuple[uuid.UUID, str], tuple[float, Route]] = {}

    async def by_name(self, user_id: uuid.UUID, name: str) -> Route:
        key = (user_id, name)
        cached = self._by_name.get(key)
        if cached is not None and cached[0] > self._now():
            return cached[1]
        async with self._uow() as uow:
            found = await uow.deployments.by_name(user_id, name)
        if found is None:
            self._by_name.pop(key, None)
            raise DeploymentNotFound(f"The model '{name}' does not exist", "model")
        deployment, sealed = found
        credential = self._secrets.open(sealed) if sealed is not None else None
        route = Route(deployment, UpstreamTarget(deployment.upstream_url, credential, deployment.timeouts))
        if len(self._by_name) >= self._max_entries:
            self._by_name.clear()
        self._by_name[key] = (self._now() + self._ttl, route)
        return route

    async def by_id(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Route:
        async with self._uow() as uow:
            found = await uow.deployments.get(user_id, deployment_id)
        if found is None:
            raise DeploymentNotFound("no such deployment")
        return await self.by_name(user_id, found.name)

    def forget(self, user_id: uuid.UUID, name: str) -> None:
        self._by_name.pop((user_id, name), None)
