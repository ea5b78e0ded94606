"""Which deployments a call tries, in order: its own, then its fallbacks.

A fallback is tried after a connection error, a timeout, a 5xx or a 429 of the attempt before, and
only while nothing has been relayed to the client (the proxy decides that). At most
``max_attempts`` attempts, and none starts once ``total_seconds`` have passed since the call
arrived; each attempt's timeouts are cut to the time left. Each attempt draws the version that
answers it (a deployment's canary answers its share of the calls). Fallbacks that no longer exist, are of
another kind or do not serve (pending, failed, stopped) are passed over; a fallback's own fallbacks
are not followed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from mlp.registry.application.inference_routes import DeploymentRoutes, Route
from mlp.registry.application.serving_ports import UpstreamTarget
from mlp.registry.domain.deployment_errors import DeploymentNotFound
from mlp.registry.domain.deployments import SERVING_STATUSES, Deployment, ModelVersionRef, Timeouts


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
    deployment: Deployment
    target: UpstreamTarget
    version: ModelVersionRef
    """The version answering: the deployment's, or its canary's for the canary's share of calls."""
    served_model: str | None
    fallback_from: uuid.UUID | None


class Attempts:
    def __init__(
        self,
        routes: DeploymentRoutes,
        primary: Route,
        user_id: uuid.UUID,
        started: float,
        limits: AttemptLimits,
        clock: Callable[[], float] = time.perf_counter,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._routes = routes
        self._primary = primary
        self._user_id = user_id
        self._deadline = started + limits.total_seconds
        self._max = limits.max_attempts
        self._clock = clock
        self._draw = draw

    async def __aiter__(self) -> AsyncIterator[Attempt]:
        yield self._attempt(1, self._primary, None)
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
            yield self._attempt(number, route, primary.id)

    def _attempt(self, number: int, route: Route, fallback_from: uuid.UUID | None) -> Attempt:
        """Timeouts cut to the time left; the version drawn (a canary's share)."""
        left = max(self._deadline - self._clock(), 0.001)
        target = route.target
        timeouts = Timeouts(min(target.timeouts.connect_seconds, left), min(target.timeouts.read_seconds, left))
        version, served_model = route.deployment.pick(self._draw())
        bounded = replace(target, timeouts=timeouts)
        return Attempt(number, route.deployment, bounded, version, served_model, fallback_from)
