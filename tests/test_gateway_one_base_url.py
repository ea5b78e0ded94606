"""Through the real gateway (nginx with deploy/gateway's configuration, as `make run` starts it) to
the real services: one base URL serves every surface, and a call costs its key one unit of quota."""

from __future__ import annotations

import httpx
import pytest
from mlflow import MlflowClient
from openai import AsyncOpenAI

from mlp.devtools.firebase_emulator import FirebaseEmulator

SCOPES = ["models:*", "datasets:*", "tune:*", "evals:*", "inference"]


async def api_key(
    firebase_emulator: FirebaseEmulator, gateway: str, scopes: list[str], requests_per_minute: int | None = None
) -> str:
    """A new user's API key, made through the gateway (sign-in is public, key creation protected)."""
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(f"{gateway}/identity/v1/auth/sign-in", json={"id_token": person.id_token})
        assert signed_in.status_code == 201, signed_in.text
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
        body: dict[str, object] = {"name": "through-the-gateway", "scopes": scopes}
        if requests_per_minute is not None:
            body["requests_per_minute"] = requests_per_minute
        key = await http.post(f"{gateway}/identity/v1/api-keys", json=body, headers=session)
        assert key.status_code == 201, key.text
        secret: str = key.json()["secret"]
        return secret


async def test_a_call_through_the_gateway_counts_once_against_the_quota(
    firebase_emulator: FirebaseEmulator, gateway: str
) -> None:
    key = await api_key(firebase_emulator, gateway, ["models:read"], requests_per_minute=3)
    async with httpx.AsyncClient(timeout=30) as http:
        calls = [
            await http.get(f"{gateway}/registry/v1/whoami", headers={"authorization": f"Bearer {key}"})
            for _ in range(4)
        ]
    assert [c.status_code for c in calls] == [200, 200, 200, 429]
    assert calls[3].headers["content-type"] == "application/problem+json"
    assert calls[3].json()["type"] == "urn:mlp:problem:quota-exceeded"


async def test_the_openai_client_and_mlflow_use_the_gateway_as_their_one_base_url(
    firebase_emulator: FirebaseEmulator, gateway: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await api_key(firebase_emulator, gateway, SCOPES)
    client = AsyncOpenAI(base_url=f"{gateway}/v1", api_key=key, max_retries=0)
    uploaded = await client.files.create(file=("small.csv", b"a,b\n1,2\n"), purpose="user_data")
    assert [f.id async for f in client.files.list()] == [uploaded.id]
    assert [m.id async for m in client.models.list()] == []
    assert [j.id async for j in client.fine_tuning.jobs.list()] == []
    assert [e.id async for e in client.evals.list()] == []

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", key)
    mlflow = MlflowClient(tracking_uri=gateway, registry_uri=gateway)
    created = mlflow.create_registered_model("through-the-gateway")
    assert [m.name for m in mlflow.search_registered_models()] == [created.name]
