"""Today's serving backend: the model server already runs at the deployment's upstream URL.

``prepare`` keeps that URL and ``release`` has nothing to tear down; a cluster backend (launching
vLLM or TGI per deployment) would start and stop servers there. Probes ask OpenAI-compatible
servers for ``GET /models``; an http-json upstream is healthy when its URL answers below 500.
"""

from __future__ import annotations

from dataclasses import replace

from mlp.registry.adapters.upstream_client import HttpUpstreamClient
from mlp.registry.application.serving_ports import ProbeOutcome, UpstreamTarget
from mlp.registry.application.upstream_errors import UpstreamError
from mlp.registry.domain.deployments import Deployment, Timeouts

MAX_PROBE_SECONDS = 10.0


class ExistingUpstreamBackend:
    def __init__(self, upstream: HttpUpstreamClient) -> None:
        self._upstream = upstream

    async def prepare(self, deployment: Deployment) -> str:
        return deployment.upstream_url

    async def probe(self, kind: str, target: UpstreamTarget) -> ProbeOutcome:
        bounded = Timeouts(
            min(target.timeouts.connect_seconds, MAX_PROBE_SECONDS),
            min(target.timeouts.read_seconds, MAX_PROBE_SECONDS),
        )
        probe_target = replace(target, timeouts=bounded)
        try:
            status = await self._upstream.get(probe_target, "" if kind == "http-json" else "/models")
        except UpstreamError as exc:
            return ProbeOutcome(False, str(exc))
        healthy = status < 500 if kind == "http-json" else status == 200
        return ProbeOutcome(healthy, None if healthy else f"the model server answered {status}")

    async def release(self, deployment: Deployment) -> None:
        return None
