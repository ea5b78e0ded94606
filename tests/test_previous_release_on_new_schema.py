"""A rolling deploy: the previous release's registry keeps serving once this release has migrated.

The migration Job runs first, so for a while old pods serve on the new schema (and again after an
image rollback). This runs the previous release's own code (its sources from git, ahead of the
installed packages on ``PYTHONPATH``) against the schema this checkout migrated to head, and has it
write and read the tables this release's revisions changed.
"""

from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from mlp.devtools.model_server import ModelServer
from mlp.devtools.processes import ServiceProcess

PREVIOUS_RELEASE = "054de98a576a64a44a89810c4a94813f0954d7dd"
"""main before this release's migrations (registry at 0010)."""
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, "libs/common/src", "services/registry/src"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


@pytest.fixture(scope="module")
def old_registry(previous_release: Path, platform: dict[str, str], platform_env_vars: dict[str, str]) -> Iterator[str]:
    sources = f"{previous_release}/libs/common/src:{previous_release}/services/registry/src"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = ServiceProcess("registry", port, {**platform_env_vars, "PYTHONPATH": sources}).start()
    try:
        process.wait_healthy(180)  # compiles the old sources first
        yield process.url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


async def test_the_previous_registry_is_ready_and_writes_and_reads_on_this_schema(
    old_registry: str,
    mint_token: Callable[[dict[str, object]], str],
    identity_user: uuid.UUID,
    model_server: ModelServer,
) -> None:
    scopes = ["models:*", "inference"]
    token = mint_token({"user_id": str(identity_user), "scopes": scopes, "caller_scopes": scopes})
    async with httpx.AsyncClient(
        base_url=old_registry, headers={"authorization": f"Bearer {token}"}, timeout=30
    ) as registry:
        assert (await registry.get("/readyz")).status_code == 200
        model = await registry.post("/v1/registered-models", json={"name": "old-code"})
        assert model.status_code == 201, model.text
        version = await registry.post(
            f"/v1/registered-models/{model.json()['id']}/versions", json={"artifact_uri": "served-model-a"}
        )
        assert version.status_code == 201, version.text
        deployment = await registry.post(
            "/v1/deployments",
            json={
                "name": "old-code",
                "kind": "openai-chat",
                "model_version_id": version.json()["id"],
                "upstream_url": f"{model_server.url}/v1",
            },
        )
        assert deployment.status_code == 201, deployment.text
        listed = await registry.get("/v1/deployments")
        assert listed.status_code == 200, listed.text
        assert [d["name"] for d in listed.json()["data"]] == ["old-code"]
        fetched = await registry.get(f"/v1/deployments/{deployment.json()['id']}")
        assert fetched.status_code == 200, fetched.text
