"""The alert rules, dashboards and autoscalers in deploy/ query only metrics the platform exports:
a renamed metric would otherwise silence its alert without anyone noticing."""

from __future__ import annotations

import re

import httpx
from prometheus_client import REGISTRY, generate_latest

import mlp.common.runtime.worker_metrics  # noqa: F401  (registers the worker's metrics)
from mlp.devtools.firebase_emulator import REPO_ROOT

QUERIES = [
    REPO_ROOT / "deploy" / "monitoring" / "alerts.yaml",
    *sorted((REPO_ROOT / "deploy" / "monitoring" / "dashboards").glob("*.json")),
    REPO_ROOT / "deploy" / "autoscaling" / "scaledobjects.yaml",
    REPO_ROOT / "deploy" / "k8s" / "billing" / "usage-alerts.yaml",
]
NGINX_EXPORTER = {
    "nginx_up",
    "nginx_http_requests_total",
    "nginx_connections_accepted",
    "nginx_connections_active",
    "nginx_connections_handled",
    "nginx_connections_reading",
    "nginx_connections_waiting",
    "nginx_connections_writing",
}
"""What nginx-prometheus-exporter serves from stub_status (the gateway's sidecar)."""


def exposed_names(exposition: str) -> set[str]:
    names = set()
    for family in re.findall(r"^# TYPE (\S+) \S+$", exposition, re.MULTILINE):
        names |= {family + suffix for suffix in ("", "_total", "_bucket", "_sum", "_count")}
    return names


def test_every_metric_queried_in_deploy_is_exported(platform: dict[str, str]) -> None:
    exported = exposed_names(generate_latest(REGISTRY).decode()) | NGINX_EXPORTER
    for url in platform.values():
        httpx.get(f"{url}/healthz").raise_for_status()
        exported |= exposed_names(httpx.get(f"{url}/metrics").text)
    for path in QUERIES:
        queried = set(re.findall(r"\b(?:mlp|nginx)_[a-z_]+\b", path.read_text()))
        assert queried, path
        assert queried <= exported, f"{path.name}: {sorted(queried - exported)}"
