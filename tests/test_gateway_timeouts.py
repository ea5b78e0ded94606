"""The gateway, the Ingress in front of it and registry's pods wait at least as long as a
deployment may take (REGISTRY_DEPLOYMENT_MAX_TIMEOUT_SECONDS): a model allowed 600 s must not
be cut at 300 s by the gateway, nor by a pod stopping."""

from __future__ import annotations

import re

from mlp.devtools.firebase_emulator import REPO_ROOT
from mlp.registry.settings import RegistrySettings

DEPLOY = REPO_ROOT / "deploy"
LONGEST = RegistrySettings().deployment_max_timeout_seconds


def location_block(routes: str, marker: str) -> str:
    start = routes.index(marker)
    return routes[start : routes.index("}", start)]


def seconds(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, pattern
    return int(found.group(1))


def test_the_gateway_waits_for_the_slowest_deployment() -> None:
    routes = (DEPLOY / "gateway" / "gateway.routes.conf").read_text()
    for marker in ("chat/completions|completions", "deployments|inference-requests", "location /registry/ {"):
        block = location_block(routes, marker)
        assert seconds(r"proxy_read_timeout (\d+)s;", block) >= LONGEST, marker


def test_the_ingress_and_stopping_pods_wait_as_long_as_the_gateway() -> None:
    ingress = (DEPLOY / "k8s" / "gateway" / "ingress.example.yaml").read_text()
    assert seconds(r'proxy-read-timeout: "(\d+)"', ingress) >= 3600  # evaluation's progress streams
    registry = (DEPLOY / "k8s" / "registry" / "deployment.yaml").read_text()
    assert seconds(r"terminationGracePeriodSeconds: (\d+)", registry) >= LONGEST
    for drains_progress_streams in ("evaluation/deployment.yaml", "gateway/deployment.yaml"):
        manifest = (DEPLOY / "k8s" / drains_progress_streams).read_text()
        assert seconds(r"terminationGracePeriodSeconds: (\d+)", manifest) >= 3600, drains_progress_streams
