"""identity hands a platform token to the gateway only when it knows the gateway's credential:
`make run`, the smoke test and the manifests must agree on it (otherwise every call through the
gateway is a 503)."""

from __future__ import annotations

import re

from mlp.devtools.firebase_emulator import REPO_ROOT
from mlp.devtools.gateway import gateway_credential
from mlp.devtools.processes import platform_env

K8S = REPO_ROOT / "deploy" / "k8s"


def test_make_run_gives_identity_the_gateways_credential() -> None:
    env = platform_env("postgresql://unused")
    assert gateway_credential().startswith("mlpsvc_gateway_")
    assert gateway_credential() in env["IDENTITY_SERVICE_CREDENTIALS"].split(",")


def test_the_manifests_give_identity_the_gateways_credential() -> None:
    gateway_secret = (K8S / "gateway" / "secret.example.yaml").read_text()
    sent = re.findall(r'^\s+proxy_set_header X-Service-Credential "([^"]+)";', gateway_secret, re.MULTILINE)
    identity_secret = (K8S / "identity" / "secret.example.yaml").read_text()
    listed = re.findall(r'^\s+IDENTITY_SERVICE_CREDENTIALS: "([^"]+)"', identity_secret, re.MULTILINE)
    assert len(sent) == 1
    assert len(listed) == 1
    assert sent[0] in listed[0].split(",")
