"""The Kubernetes configuration cannot drift from the settings: each service's settings, loaded
from what its pods get (ConfigMap, Secret example, the containers' own ``env``), name a real
address for every peer; and outside development a service refuses loopback peers and
development keys at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlp.billing.settings import BillingSettings
from mlp.common.runtime.development_settings import DevelopmentSettingsRefused
from mlp.common.runtime.settings import ServiceSettings, load_settings
from mlp.evaluation.settings import EvaluationSettings
from mlp.identity.settings import IdentitySettings
from mlp.registry.settings import DEVELOPMENT_CREDENTIAL_KEY, RegistrySettings

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"
SETTINGS: dict[str, type[ServiceSettings]] = {
    "identity": IdentitySettings,
    "registry": RegistrySettings,
    "evaluation": EvaluationSettings,
    "billing": BillingSettings,
}


def documents(service: str) -> list[dict[str, Any]]:
    paths = sorted((K8S / service).glob("*.yaml"))
    return [doc for path in paths for doc in yaml.safe_load_all(path.read_text()) if doc]


def pod_environments(service: str) -> dict[str, dict[str, str]]:
    """Container name -> the environment Kubernetes gives it (ConfigMap, then Secret, then ``env``)."""
    docs = documents(service)
    config = {k: str(v) for d in docs if d["kind"] == "ConfigMap" for k, v in d["data"].items()}
    secret = {k: str(v) for d in docs if d["kind"] == "Secret" for k, v in d["stringData"].items()}
    environments = {}
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                own = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
                environments[f"{doc['metadata']['name']}/{container['name']}"] = {**config, **secret, **own}
    return environments


@pytest.mark.parametrize("service", SETTINGS)
def test_every_pod_names_a_real_address_for_each_peer(service: str) -> None:
    environments = pod_environments(service)
    assert environments, f"no Deployment or Job under deploy/k8s/{service}"
    for pod, environ in environments.items():
        settings = load_settings(SETTINGS[service], service, environ)  # refuses loopback peers itself
        assert settings.environment != "development", pod
        assert settings.development_only() == [], pod


def test_registry_refuses_its_missing_peers_and_the_development_key() -> None:
    with pytest.raises(DevelopmentSettingsRefused) as refused:
        load_settings(RegistrySettings, "registry", {"IDENTITY_URL": "http://identity:8001"})
    message = str(refused.value)
    assert "REGISTRY_BILLING_URL" in message
    assert "REGISTRY_TRAINER_URL" in message
    assert "REGISTRY_CREDENTIAL_KEYS" in message
    assert "IDENTITY_URL" not in message.replace("REGISTRY_IDENTITY_URL", "")


@pytest.mark.parametrize(
    ("service", "environ", "refused"),
    [
        ("identity", {"IDENTITY_USER_DELETED_SUBSCRIBERS": "registry=http://localhost:8002"}, "(registry)"),
        ("evaluation", {"EVALUATION_REGISTRY_URL": "http://[::1]:8002"}, "EVALUATION_REGISTRY_URL"),
        ("billing", {"IDENTITY_URL": "http://0.0.0.0:8001"}, "BILLING_IDENTITY_URL"),
        ("registry", {"REGISTRY_CREDENTIAL_KEYS": f"a-key,{DEVELOPMENT_CREDENTIAL_KEY}"}, "REGISTRY_CREDENTIAL_KEYS"),
    ],
)
def test_outside_development_each_service_refuses(service: str, environ: dict[str, str], refused: str) -> None:
    peers = {
        "IDENTITY_URL": "http://identity:8001",
        "BILLING_URL": "http://billing:8004",
        "REGISTRY_URL": "http://registry:8002",
        "REGISTRY_TRAINER_URL": "https://api.openai.com",
        "REGISTRY_CREDENTIAL_KEYS": "a-real-key",
        "IDENTITY_USER_DELETED_SUBSCRIBERS": "registry=http://registry:8002",
    }
    with pytest.raises(DevelopmentSettingsRefused, match=re.escape(refused)):
        load_settings(SETTINGS[service], service, {**peers, **environ})
    load_settings(SETTINGS[service], service, {**peers, **environ, "ENVIRONMENT": "development"})
