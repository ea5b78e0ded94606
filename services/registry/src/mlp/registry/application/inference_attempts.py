"""Which deployments a call tries, in order: its own, then its fallbacks.

A fallback is tried after a connection error, a timeout, a 5xx or a 429 of the attempt before, and
only while nothing has been relayed to the client (the proxy decides that). At most
``max_attempts`` attempts, and none starts once ``total_seconds`` have passed since the call
arrived; each attempt's timeouts are cut to the time left. Fallbacks that no longer exist, are of
another kind or do not serve (pending, failed, stopped) are passed over; a fallback's own fallbacks
are not followed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from mlp.registry.application.inference_routes import DeploymentRoutes, Route
from mlp.registry.application.serving_ports import UpstreamTarget
from mlp.registry.domain.deployment_errors import DeploymentNotFound
from mlp.registry.domain.deployments import SERVING_STATUSES, Deployment, Timeouts


@dataclass(frozen=True)
class AttemptLimits:
    max_attempts: int = 3
    total_seconds: float = 90.0


def retryable(status: int) -> bool:
    """An answer a fallback may do better than: overloaded (429) or broken (5xx)."""
    return status == 429 or status >= 500


@dataclass(frozen=True)
class Attempt:
    number: int
    """1 for the deployment called, 2 and on for its fallbacks."""
    route: Route
    fallback_from: uuid.UUID | None

    @property
    def deployment(self) -> Deployment:
        return self.route.deployment

    @property
    def target(self) -> UpstreamTarget:
        return self.route.target

    @property
    def served_model(self) -> str | None:
        return self.route.deployment.served_model

    @property
    def version_id(self) -> uuid.UUID:
        return self.route.deployment.serves.version_id


class Attempts:
    def __init__(
        self,
        routes: DeploymentRoutes,
        primary: Route,
        user_id: uuid.UUID,
        started: float,
        limits: AttemptLimits,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._routes = routes
        self._primary = primary
        self._user_id = user_id
        self._deadline = started + limits.total_seconds
        self._max = limits.max_attempts
        self._clock = clock

    async def __aiter__(self) -> AsyncIterator[Attempt]:
        yield self._bounded(Attempt(1, self._primary, None))
        number = 1
        primary = self._primary.deployment
        for fallback_id in primary.fallbacks:
            if number >= self._max or self._deadline <= self._clock():
                return
            try:
                route = await self._routes.by_id(self._user_id, fallback_id)
            except DeploymentNotFound:
                continue
            if route.deployment.kind != primary.kind or route.deployment.status not in SERVING_STATUSES:
                continue
            number += 1
            yield self._bounded(Attempt(number, route, primary.id))

    def _bounded(self, attempt: Attempt) -> Attempt:
        left = max(self._deadline - self._clock(), 0.001)
        target = attempt.route.target
        timeouts = Timeouts(min(target.timeouts.connect_seconds, left), min(target.timeouts.read_seconds, left))
        return replace(attempt, route=replace(attempt.route, target=replace(target, timeouts=timeouts)))
