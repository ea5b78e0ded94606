"""The deployments API over HTTP: lifecycle, rollout history, ownership, credentials, the SSRF guard."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
from serving_helpers import SCOPES, Registry, User, add_model_version, deploy, new_user
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


async def test_lifecycle_stop_refuses_calls_start_serves_again_delete_forgets(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/v1", name="lifecycle")
    assert (deployment["status"], deployment["version"]) == ("ready", 1)
    listed = (await user.http.get("/v1/deployments")).json()
    assert deployment["id"] in [d["id"] for d in listed["data"]]

    stopped = await user.http.post(f"/v1/deployments/{deployment['id']}/stop")
    assert stopped.json()["status"] == "stopped"
    refused = await user.http.post("/v1/chat/completions", json={"model": "lifecycle", **CHAT})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "deployment_stopped"
    again = await user.http.post(f"/v1/deployments/{deployment['id']}/stop")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"

    started = await user.http.post(f"/v1/deployments/{deployment['id']}/start")
    assert started.json()["status"] == "ready"
    served = await user.http.post("/v1/chat/completions", json={"model": "lifecycle", **CHAT})
    assert served.status_code == 200

    assert (await user.http.delete(f"/v1/deployments/{deployment['id']}")).status_code == 204
    assert (await user.http.get(f"/v1/deployments/{deployment['id']}")).status_code == 404
    gone = await user.http.post("/v1/chat/completions", json={"model": "lifecycle", **CHAT})
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "model_not_found"


async def test_rollout_history_answers_which_version_served_at_a_time(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    first = await add_model_version(engine, user.user_id)
    async with engine.connect() as conn:
        model_id = (
            await conn.execute(text("SELECT model_id FROM registry.model_versions WHERE id = :v"), {"v": first})
        ).scalar_one()
    second = await add_model_version(engine, user.user_id, model_id)
    deployment = await deploy(user, engine, f"{model_server.url}/v1", model_version_id=first)
    rolled = await user.http.patch(f"/v1/deployments/{deployment['id']}", json={"model_version_id": str(second)})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["version"] == 2

    history = (await user.http.get(f"/v1/deployments/{deployment['id']}/history")).json()["revisions"]
    assert [r["version"] for r in history] == [1, 2]
    assert history[0]["valid_to"] == history[1]["valid_from"]
    moment = datetime.fromisoformat(history[0]["valid_from"]).isoformat()
    at_start = (await user.http.get(f"/v1/deployments/{deployment['id']}/history", params={"at": moment})).json()
    assert [r["version"] for r in at_start["revisions"]] == [1]

    other_model = await add_model_version(engine, user.user_id)
    refused = await user.http.patch(f"/v1/deployments/{deployment['id']}", json={"model_version_id": str(other_model)})
    assert refused.status_code == 400
    assert refused.json()["field"] == "model_version_id"


async def test_another_users_model_version_and_deployment_are_404(
    user: User, engine: AsyncEngine, model_server: ModelServer, identity_url: str, registry: Registry
) -> None:
    stranger = await new_user(identity_url, registry.url, SCOPES)
    theirs = await deploy(stranger, engine, f"{model_server.url}/v1")
    body = {
        "name": "borrowed",
        "kind": "openai-chat",
        "model_version_id": theirs["model_version_id"],
        "upstream_url": f"{model_server.url}/v1",
    }
    refused = await user.http.post("/v1/deployments", json=body)
    assert refused.status_code == 404
    assert refused.json()["field"] == "model_version_id"
    assert (await user.http.get(f"/v1/deployments/{theirs['id']}")).status_code == 404
    assert (await user.http.post(f"/v1/deployments/{theirs['id']}/stop")).status_code == 404
    await stranger.http.aclose()


async def test_name_is_unique_per_user_and_bad_input_names_the_field(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    await deploy(user, engine, f"{model_server.url}/v1", name="twice")
    version = await add_model_version(engine, user.user_id)
    body = {"name": "twice", "kind": "openai-chat", "model_version_id": str(version), "upstream_url": model_server.url}
    assert (await user.http.post("/v1/deployments", json=body)).status_code == 409
    wrong_kind = await user.http.post("/v1/deployments", json={**body, "name": "k", "kind": "gpu-magic"})
    assert wrong_kind.status_code == 400
    assert wrong_kind.json()["field"] == "kind"
    no_scheme = await user.http.post("/v1/deployments", json={**body, "name": "u", "upstream_url": "models:80"})
    assert no_scheme.json()["field"] == "upstream_url"
    huge_timeout = await user.http.post("/v1/deployments", json={**body, "name": "t", "timeout_seconds": 10**9})
    assert huge_timeout.status_code == 400
    assert huge_timeout.json()["field"] == "timeout_seconds"


async def test_upstream_credential_is_encrypted_at_rest_used_upstream_and_never_returned(
    user: User, engine: AsyncEngine
) -> None:
    guarded = ModelServer(api_key="sk-upstream-secret-123").start()
    try:
        deployment = await deploy(
            user, engine, f"{guarded.url}/v1", name="keyed", upstream_api_key="sk-upstream-secret-123"
        )
        assert deployment["status"] == "ready"  # the probe carried the credential
        assert deployment["has_upstream_api_key"] is True
        assert "sk-upstream-secret-123" not in (await user.http.get(f"/v1/deployments/{deployment['id']}")).text
        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    text("SELECT credential_ciphertext FROM registry.deployments WHERE id = :id"),
                    {"id": deployment["id"]},
                )
            ).scalar_one()
        assert b"sk-upstream-secret-123" not in bytes(stored)
        answer = await user.http.post("/v1/chat/completions", json={"model": "keyed", **CHAT})
        assert answer.status_code == 200
        # a wrong credential: the upstream refuses, the caller sees a 502 without the secret
        await user.http.patch(f"/v1/deployments/{deployment['id']}", json={"upstream_api_key": "sk-wrong-456"})
        refused = await user.http.post("/v1/chat/completions", json={"model": "keyed", **CHAT})
        assert refused.status_code == 502
        assert "sk-wrong-456" not in refused.text
        assert guarded.url not in refused.text
    finally:
        guarded.stop()


async def test_ssrf_guard_refuses_loopback_and_metadata_upstreams_when_enabled(
    database_url: str, identity_url: str, user: User, engine: AsyncEngine
) -> None:
    settings = RegistrySettings(database_url=database_url, identity_url=identity_url, log_level="WARNING")
    version = await add_model_version(engine, user.user_id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://registry", headers=user.headers
    ) as http:
        app = http._transport.app  # type: ignore[attr-defined]
        async with app.lifespan():  # type: ignore[attr-defined]
            for url in ("http://127.0.0.1:8000/v1", "http://169.254.169.254/latest", "http://[::1]:9/"):
                body = {"name": f"n{uuid.uuid4().hex[:6]}", "kind": "openai-chat", "model_version_id": str(version)}
                refused = await http.post("/v1/deployments", json={**body, "upstream_url": url})
                assert refused.status_code == 422, url
                assert refused.json()["type"] == "urn:mlp:problem:forbidden-upstream"
                assert refused.json()["field"] == "upstream_url"
