"""Probing upstreams: drives pending -> ready | failed and ready <-> degraded, and audits each change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from mlp.registry.application.deployment_events import deployment_event
from mlp.registry.application.serving_ports import SecretBox, ServingBackend, ServingUnitOfWork, UpstreamTarget
from mlp.registry.domain.deployments import Deployment

log = structlog.get_logger()


class DeploymentProber:
    def __init__(
        self,
        uow: Callable[[], ServingUnitOfWork],
        backend: ServingBackend,
        secrets: SecretBox,
        clock: Callable[[], datetime],
        concurrency: int = 8,
    ) -> None:
        self._uow = uow
        self._backend = backend
        self._secrets = secrets
        self._clock = clock
        self._concurrency = concurrency

    async def probe(self, deployment: Deployment, credential: str | None) -> Deployment:
        """Probe once and store the outcome; returns the deployment as it now stands."""
        target = UpstreamTarget(deployment.upstream_url, credential, deployment.timeouts)
        outcome = await self._backend.probe(deployment.kind, target)
        now = self._clock()
        probed = deployment.after_probe(outcome.healthy, outcome.detail, now)
        async with self._uow() as uow:
            if not await uow.deployments.record_probe(probed, deployment.status):
                return deployment
            if probed.status != deployment.status:
                event = deployment_event(
                    probed,
                    f"status.{probed.status}",
                    now,
                    outcome="success" if outcome.healthy else "failure",
                    from_status=deployment.status,
                )
                await uow.outbox.audit([event])
            await uow.commit()
        return probed

    async def probe_stored(self, deployment: Deployment) -> Deployment:
        async with self._uow() as uow:
            found = await uow.deployments.by_name(deployment.user_id, deployment.name)
        if found is None:
            return deployment
        current, sealed = found
        return await self.probe(current, self._secrets.open(sealed) if sealed is not None else None)

    async def probe_live(self, limit: int = 500) -> int:
        """The worker's round: probe every live deployment (least recently probed first); how many were probed."""
        async with self._uow() as uow:
            live = await uow.deployments.live(limit)
        gate = asyncio.Semaphore(self._concurrency)

        async def one(deployment: Deployment, sealed: bytes | None) -> None:
            async with gate:
                await self.probe(deployment, self._secrets.open(sealed) if sealed is not None else None)

        await asyncio.gather(*(one(d, s) for d, s in live))
        return len(live)

    async def run(self, interval_seconds: float) -> None:
        """Probe rounds forever, ``interval_seconds`` apart (the worker runs this until it stops)."""
        while True:
            try:
                await self.probe_live()
            except Exception:
                log.exception("deployment probe round failed")
            await asyncio.sleep(interval_seconds)
